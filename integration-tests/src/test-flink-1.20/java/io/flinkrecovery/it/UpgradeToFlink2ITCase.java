package io.flinkrecovery.it;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;

import io.flinkrecovery.inspect.Finding;
import io.flinkrecovery.inspect.InspectionReport;
import io.flinkrecovery.inspect.RestoreInspector;
import io.flinkrecovery.testing.EmbeddedS3Extension;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The upgrade our users do: {@link AllStatesJob} on Flink 1.20 with our backend takes a savepoint
 * and is cancelled; the same job on Flink 2.3 with our backend restores it and runs to its end
 * ({@link SavepointRestoreRun}, in a JVM on the class path of the 2.3 {@code integration-tests}).
 * Every summary of both runs together must equal the reference computed without Flink. Both
 * inspectors report which Flink wrote each {@code _metadata}; the 1.20 one refuses 2.3's by name.
 */
class UpgradeToFlink2ITCase {

    private static final long EVENTS = 8_000;
    private static final int KEYS = 200;
    private static final int EVENTS_PER_CHECKPOINT = 400;

    @RegisterExtension
    @Order(1)
    static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("it-upgrade");

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(() -> TestClusters.miniCluster(S3, 3));

    @ParameterizedTest(name = "{0} savepoint")
    @EnumSource(
            value = SavepointFormatType.class,
            names = {"CANONICAL", "NATIVE"})
    void savepointOfFlink120RestoresExactlyOnFlink2(
            SavepointFormatType format, @InjectMiniCluster MiniCluster flink, @TempDir Path tmp)
            throws Exception {
        String runId = "upgrade-" + format.name().toLowerCase(Locale.ROOT);
        Configuration config = TestClusters.s3Storage(S3, runId);
        TestClusters.useBackend(config, "incremental-heap");
        Path output = tmp.resolve("summaries");
        AllStatesJob job = AllStatesJob.of(runId, EVENTS, KEYS, EVENTS_PER_CHECKPOINT);
        job.reset();

        JobID first = job.start(config, 2, new SummaryFileSink(output));
        Checkpoints.awaitStats(flink, first, "2 checkpoints", s -> Checkpoints.completed(s) >= 2);
        String savepoint = flink.triggerSavepoint(first, null, true, format).get();
        JobRuns.awaitStatus(flink, first, JobStatus.CANCELED);

        RestoreInspector inspector = new RestoreInspector(HeapRuns.store(config));
        InspectionReport written = inspector.validate(savepoint, true);
        assertThat(written.isValid()).as("%s", written).isTrue();
        assertThat(written.metadataVersion())
                .hasValueSatisfying(
                        v -> {
                            assertThat(v.number()).isEqualTo(4);
                            assertThat(v.writtenBy()).isEqualTo("Flink 1.x");
                        });

        List<String> flink2 =
                runOnFlink2(
                        tmp,
                        List.of(
                                "--bucket", S3.bucket(),
                                "--prefix", runId,
                                "--savepoint", savepoint,
                                "--run-id", runId,
                                "--events", String.valueOf(EVENTS),
                                "--keys", String.valueOf(KEYS),
                                "--events-per-checkpoint", String.valueOf(EVENTS_PER_CHECKPOINT),
                                "--parallelism", "3",
                                "--output", output.toString()));

        assertThat(flink2).contains("RESTORED " + savepoint);
        assertThat(flink2)
                .anySatisfy(
                        line ->
                                assertThat(line)
                                        .startsWith("INSPECTED " + savepoint)
                                        .contains("valid (Flink 1.x metadata v4, "));
        assertThat(AllStatesClusterJob.mismatches(output, EVENTS, KEYS))
                .as("summaries of the 1.20 and the 2.3 run against the reference")
                .isEmpty();

        String newer =
                flink2.stream()
                        .filter(line -> line.startsWith("SAVEPOINT "))
                        .map(line -> line.substring("SAVEPOINT ".length()))
                        .findFirst()
                        .orElseThrow();
        InspectionReport refused = inspector.validate(newer, false);
        assertThat(refused.isValid()).isFalse();
        assertThat(refused.findings())
                .singleElement()
                .satisfies(
                        finding -> {
                            assertThat(finding.kind()).isEqualTo(Finding.Kind.UNREADABLE_METADATA);
                            assertThat(finding.message())
                                    .contains("metadata version 6, written by Flink 2.x")
                                    .contains("our jar for Flink 2.x");
                        });
    }

    /** Runs {@link SavepointRestoreRun} on Flink 2.3; returns its output lines once it exited 0. */
    private static List<String> runOnFlink2(Path tmp, List<String> args)
            throws IOException, InterruptedException {
        Path s3Config = tmp.resolve("s3.properties");
        Properties properties = new Properties();
        properties.putAll(S3.flinkConfig());
        try (OutputStream out = Files.newOutputStream(s3Config)) {
            properties.store(out, "S3 client keys of the embedded server");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx1g");
        command.add("-cp");
        command.add(flink2ClassPath());
        command.add(SavepointRestoreRun.class.getName());
        command.add("--s3-config");
        command.add(s3Config.toString());
        command.addAll(args);
        Path log =
                Path.of(System.getProperty("flinkrecovery.upgrade.logs", "target/upgrade-runs"))
                        .resolve(tmp.getFileName() + "-flink-2.3.log")
                        .toAbsolutePath();
        Files.createDirectories(log.getParent());
        Process process =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        try {
            assertThat(process.waitFor(3, TimeUnit.MINUTES))
                    .as("Flink 2.3 run finished in 3 minutes (its output: %s)", log)
                    .isTrue();
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            assertThat(process.exitValue())
                    .as("exit code of the Flink 2.3 run, whose output ends with:%n%s", tail(lines))
                    .isZero();
            return lines;
        } finally {
            process.destroyForcibly();
        }
    }

    /** The test class path of the Flink 2.3 {@code integration-tests} module, built before this. */
    private static String flink2ClassPath() throws IOException {
        Path classes = Path.of(System.getProperty("flinkrecovery.flink2.test-classes"));
        Path classPathFile = Path.of(System.getProperty("flinkrecovery.flink2.test-classpath"));
        if (!Files.isDirectory(classes) || !Files.isRegularFile(classPathFile)) {
            throw new IllegalStateException(
                    "The Flink 2.3 integration-tests are not built ("
                            + classPathFile
                            + "): build from the top with -am, as the README says");
        }
        return classes + java.io.File.pathSeparator + Files.readString(classPathFile).trim();
    }

    private static String tail(List<String> lines) {
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
