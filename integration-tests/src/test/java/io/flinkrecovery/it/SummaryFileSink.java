package io.flinkrecovery.it;

import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.connector.sink2.SinkWriter;

import io.flinkrecovery.examples.compat.SubtaskSink;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Writes every {@link Summary} as one line to a file of its own per writer in a local directory, so
 * that what a job on real TaskManager processes emitted outlives them. At least once: a restored
 * job emits again what it emitted after its checkpoint, which {@link AllStatesJob.Results} accepts
 * only if the replay repeats it exactly. A killed process may leave a last line unfinished; {@link
 * #read} skips it.
 */
final class SummaryFileSink extends SubtaskSink<Summary> {

    private static final long serialVersionUID = 1L;

    private static final String SEPARATOR = "\t";

    private final String directory;

    SummaryFileSink(Path directory) {
        this.directory = directory.toAbsolutePath().toString();
    }

    @Override
    protected SinkWriter<Summary> createWriter(TaskInfo task) throws IOException {
        // A new file per writer: attempt numbers start again after a JobManager failover.
        Path file =
                Path.of(
                        directory,
                        "summaries-"
                                + task.getIndexOfThisSubtask()
                                + "-"
                                + task.getAttemptNumber()
                                + "-"
                                + UUID.randomUUID()
                                + ".tsv");
        Files.createDirectories(file.getParent());
        BufferedWriter out =
                Files.newBufferedWriter(
                        file, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
        return new SinkWriter<>() {
            @Override
            public void write(Summary summary, Context context) throws IOException {
                out.write(toLine(summary));
                out.write('\n');
            }

            @Override
            public void flush(boolean endOfInput) throws IOException {
                out.flush();
            }

            @Override
            public void close() throws IOException {
                out.close();
            }
        };
    }

    /** Every summary written to {@code directory}, in no particular order. */
    static List<Summary> read(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".tsv"))
                    .flatMap(SummaryFileSink::lines)
                    .map(SummaryFileSink::fromLine)
                    .toList();
        }
    }

    private static Stream<String> lines(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
        int complete = text.lastIndexOf('\n') + 1;
        return text.substring(0, complete).lines();
    }

    static String toLine(Summary summary) {
        return String.join(
                SEPARATOR,
                String.valueOf(summary.key()),
                summary.kind().name(),
                String.valueOf(summary.count()),
                String.valueOf(summary.sum()),
                String.valueOf(summary.max()),
                String.valueOf(summary.average()),
                summary.lastAmounts(),
                summary.subKeyCounts(),
                String.valueOf(summary.closedBuckets()),
                String.valueOf(summary.ruleScore()));
    }

    static Summary fromLine(String line) {
        String[] fields = line.split(SEPARATOR, -1);
        if (fields.length != 10) {
            throw new IllegalArgumentException(
                    "Invalid summary line (expected 10 tab-separated fields): " + line);
        }
        return new Summary(
                Integer.parseInt(fields[0]),
                Summary.Kind.valueOf(fields[1]),
                Long.parseLong(fields[2]),
                Long.parseLong(fields[3]),
                Long.parseLong(fields[4]),
                Double.parseDouble(fields[5]),
                fields[6],
                fields[7],
                Long.parseLong(fields[8]),
                Long.parseLong(fields[9]));
    }
}
