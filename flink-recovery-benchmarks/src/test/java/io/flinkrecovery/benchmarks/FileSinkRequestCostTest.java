package io.flinkrecovery.benchmarks;

import io.flinkrecovery.testing.RecordedRequest.Kind;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The short version of {@code bin/benchmark sink}: both small-file workloads through ours,
 * flink-s3-fs-hadoop and flink-s3-fs-presto (loaded as Flink loads plugins), counted by the S3
 * server; flink-s3-fs-native only in the program, for the build's time. Checks what the comparison
 * rests on, not timings: every run that finished committed the same rows exactly once in as many
 * files, the server counted what our client counted, and the per-file counts in the table are real
 * numbers.
 */
class FileSinkRequestCostTest {

    @Test
    void everyFileSystemCommitsTheSameRowsAndTheServerCountsTheirRequests() throws Exception {
        SinkBenchmarkOptions options =
                SinkBenchmarkOptions.parse(
                        new String[] {
                            "--file-systems", "ours,hadoop,presto",
                            "--workloads", "on-checkpoint,open-across",
                            "--checkpoints", "3",
                            "--rows-per-file", "50"
                        });
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        FileSinkRequestCost.Report report;
        try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            report = FileSinkRequestCost.run(options, out);
        }
        String output = printed.toString(StandardCharsets.UTF_8);
        System.out.println(output);

        assertThat(report.problems()).as(output).isEmpty();
        for (String workload : List.of("on-checkpoint", "open-across")) {
            List<SinkRun> runs =
                    report.runs().stream()
                            .filter(r -> r.workload().name().equals(workload))
                            .collect(Collectors.toList());
            List<SinkRun> finished =
                    runs.stream().filter(SinkRun::finished).collect(Collectors.toList());
            assertThat(finished)
                    .extracting(SinkRun::fileSystem)
                    .as(workload + ": the file systems that ran the FileSink")
                    .contains(SinkFileSystem.OURS, SinkFileSystem.HADOOP);
            assertThat(finished)
                    .allSatisfy(
                            run -> {
                                assertThat(run.rows().exact()).as(run.rows().toString()).isTrue();
                                assertThat(run.committedFiles())
                                        .isEqualTo(run.workload().expectedFiles(2));
                                assertThat(run.perFile(run.server().total()))
                                        .as("requests per file")
                                        .isFinite()
                                        .isGreaterThanOrEqualTo(3);
                                assertThat(run.server().count(Kind.COMPLETE_MULTIPART))
                                        .as("one completion per committed file")
                                        .isEqualTo(run.committedFiles());
                            });
            SinkRun presto =
                    runs.stream()
                            .filter(r -> r.fileSystem() == SinkFileSystem.PRESTO)
                            .findFirst()
                            .orElseThrow();
            assertThat(presto.finished()).as("flink-s3-fs-presto runs the FileSink").isFalse();
            assertThat(presto.failureSummary())
                    .isEqualTo(
                            "UnsupportedOperationException: This s3 file system implementation"
                                    + " does not support recoverable writers.");
            assertThat(presto.server().total()).as("requests from presto").isZero();
        }

        SinkRun ours = run(report, "on-checkpoint", SinkFileSystem.OURS);
        // A file rolled at the checkpoint that ends its rows is one upload: create, part, complete.
        assertThat(ours.perFile(ours.server().total())).isEqualTo(3.0);
        SinkRun oursOpen = run(report, "open-across", SinkFileSystem.OURS);
        // Persisted at two checkpoints before it rolls at the third: a tail PUT each, deleted once
        // a later checkpoint completed.
        assertThat(oursOpen.perFile(oursOpen.server().count(Kind.PUT_OBJECT))).isEqualTo(2.0);
        assertThat(oursOpen.perFile(oursOpen.server().count(Kind.DELETE))).isEqualTo(2.0);
        assertThat(oursOpen.uploadAmplification()).isEqualTo(2.0);

        assertThat(output)
                .contains("Requests per committed file, counted by the S3 server")
                .contains("Checks: OK");
    }

    private static SinkRun run(
            FileSinkRequestCost.Report report, String workload, SinkFileSystem fs) {
        return report.runs().stream()
                .filter(r -> r.workload().name().equals(workload) && r.fileSystem() == fs)
                .findFirst()
                .orElseThrow();
    }
}
