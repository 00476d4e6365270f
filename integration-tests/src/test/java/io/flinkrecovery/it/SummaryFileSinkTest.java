package io.flinkrecovery.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SummaryFileSinkTest {

    private static final Summary PROGRESS =
            new Summary(
                    7, Summary.Kind.PROGRESS, 3, 30, 20, 10.0 / 3, "[5, 5, 20]", "{1=2}", -1, -1);
    private static final Summary FINAL =
            new Summary(8, Summary.Kind.FINAL, 1, 9, 9, 9.0, "[9]", "{2=1}", 1, 300);

    @Test
    void aLineReadsBackAsTheSameSummary() {
        assertThat(SummaryFileSink.fromLine(SummaryFileSink.toLine(PROGRESS))).isEqualTo(PROGRESS);
        assertThat(SummaryFileSink.fromLine(SummaryFileSink.toLine(FINAL))).isEqualTo(FINAL);
    }

    @Test
    void readSkipsTheUnfinishedLastLineOfAKilledWriter(@TempDir Path dir) throws Exception {
        String progress = SummaryFileSink.toLine(PROGRESS);
        Files.writeString(dir.resolve("summaries-0-0-a.tsv"), progress + "\n" + progress + "\n");
        Files.writeString(
                dir.resolve("summaries-1-0-b.tsv"),
                SummaryFileSink.toLine(FINAL) + "\n" + progress.substring(0, 9));
        Files.writeString(dir.resolve("other.txt"), "not a summary\n");

        assertThat(SummaryFileSink.read(dir)).containsExactlyInAnyOrder(PROGRESS, PROGRESS, FINAL);
    }

    @Test
    void aLineWithMissingFieldsIsRejectedNamingIt() {
        assertThatThrownBy(() -> SummaryFileSink.fromLine("7\tFINAL\t3"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid summary line (expected 10 tab-separated fields): 7\tFINAL\t3");
    }
}
