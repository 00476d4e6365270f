package io.flinkrecovery.benchmarks;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Result files are named by date and name, never overwrite a run's, and keep what it printed. */
class ResultFilesTest {

    @TempDir Path dir;

    @Test
    void namedByDateAndNameAndNeverOverwritten() throws Exception {
        LocalDate day = LocalDate.of(2026, 12, 3);
        ResultFiles first = ResultFiles.choose(dir, day, "short");
        assertThat(first.json()).isEqualTo(dir.resolve("2026-12-03-short.json"));
        assertThat(first.chart()).isEqualTo(dir.resolve("2026-12-03-short.svg"));
        Files.writeString(first.json(), "{}");

        ResultFiles second = ResultFiles.choose(dir, day, "short");
        assertThat(second.text()).isEqualTo(dir.resolve("2026-12-03-short-2.txt"));
        assertThat(ResultFiles.choose(dir, day, null).text())
                .isEqualTo(dir.resolve("2026-12-03.txt"));
    }

    @Test
    void theTextFileHoldsWhatTheConsoleShows() throws Exception {
        ResultFiles files = ResultFiles.choose(dir, LocalDate.of(2026, 12, 3), null);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (PrintStream out =
                files.teeText(new PrintStream(console, true, StandardCharsets.UTF_8))) {
            out.printf("1. Bytes uploaded: %s%n", "1.20 MB ✓");
        }
        assertThat(Files.readString(files.text()))
                .isEqualTo(console.toString(StandardCharsets.UTF_8))
                .isEqualTo(String.format("1. Bytes uploaded: 1.20 MB ✓%n"));
    }

    @Test
    void aResultsNameThatIsNotAFileNameIsRejected() {
        assertThatThrownBy(() -> BenchmarkOptions.parse(new String[] {"--results-name", "../x"}))
                .hasMessage("Invalid --results-name: ../x (use letters, digits, '.', '_' and '-')");
    }
}
