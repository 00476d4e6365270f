package io.flinkrecovery.examples.demo;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.checkpoint.FailedCheckpointStats;
import org.apache.flink.runtime.checkpoint.RestoredCheckpointStats;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;

import io.flinkrecovery.examples.totals.ExpectedTotals;
import io.flinkrecovery.examples.totals.RunningTotalsJob;
import io.flinkrecovery.inspect.InspectionReport;
import io.flinkrecovery.inspect.RestoreInspector;
import io.flinkrecovery.objectstore.RequestCounters;
import io.flinkrecovery.objectstore.RequestKind;
import io.flinkrecovery.objectstore.s3.S3ClientSettings;
import io.flinkrecovery.objectstore.s3.S3ObjectStores;
import io.flinkrecovery.testing.EmbeddedS3Server;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.stream.Stream;

/**
 * The local demo: an embedded S3-compatible server and a Flink MiniCluster in this process run a
 * stateful job on our S3 checkpoint storage. The job fails once and Flink restores it from a
 * checkpoint; it is then cancelled, and a second run restores the retained checkpoint and runs to
 * the end. Exits with 0 only if the final totals equal {@link ExpectedTotals}.
 */
public final class RecoveryDemo {

    private static final String RUN_ID = "recovery-demo";
    private static final long NUM_EVENTS = 30_000;
    private static final int NUM_KEYS = 200;
    private static final double EVENTS_PER_SECOND = 1_000;

    /** Subtask 0 sees about 500 of the 1,000 events a second: the failure comes after ~16 s. */
    private static final long FAIL_AFTER_RECORDS = 8_000;

    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(60);

    private final DemoOptions options;
    private final PrintStream out;
    private final long startNanos = System.nanoTime();

    private RecoveryDemo(DemoOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static void main(String[] args) {
        CommandLine cli = DemoOptions.commandLine();
        DemoOptions options;
        try {
            if (CommandLine.printHelpIfRequested(cli.parseArgs(args))) {
                System.exit(0);
                return;
            }
            options = DemoOptions.of(cli, System.getProperties());
        } catch (ParameterException e) {
            System.err.println(e.getMessage());
            cli.usage(System.err);
            System.exit(2);
            return;
        }
        int exitCode;
        try {
            exitCode = new RecoveryDemo(options, System.out).run() ? 0 : 1;
        } catch (Throwable t) {
            System.err.println("The demo failed: " + t);
            t.printStackTrace();
            exitCode = 1;
        }
        // Flink, S3Proxy and the SDK leave non-daemon threads behind; exit explicitly.
        System.exit(exitCode);
    }

    /** Runs the demo and prints its summary; true if the final totals are exactly right. */
    private boolean run() throws Exception {
        Path dataDir = prepareDataDir();
        RunningTotalsJob run1Job =
                RunningTotalsJob.builder(RUN_ID)
                        .events(NUM_EVENTS)
                        .keys(NUM_KEYS)
                        .eventsPerSecond(EVENTS_PER_SECOND)
                        .parallelism(DemoOptions.PARALLELISM)
                        .failAfterRecords(FAIL_AFTER_RECORDS)
                        .build();
        // Run 2 continues run 1 under the same run id: results merge, and no second failure.
        RunningTotalsJob run2Job = run1Job.toBuilder().noFailure().build();
        run1Job.reset();

        List<String> summary = new ArrayList<>();
        RequestCounters.Snapshot requests;
        try (EmbeddedS3Server s3 = EmbeddedS3Server.start(dataDir)) {
            s3.createBucket(DemoOptions.BUCKET);
            progress("S3 server at %s, objects under %s", s3.endpoint(), dataDir);
            Configuration config = options.flinkConfig(s3.flinkConfig());
            useOwnClassLoader(config);
            // The MiniCluster does not initialize file systems; Flink's s3:// must be ours.
            FileSystem.initialize(config, null);
            RequestCounters counters =
                    S3ObjectStores.forSettings(S3ClientSettings.fromConfig(config)).counters();
            RequestCounters.Snapshot before = counters.snapshot();

            String retained;
            try (MiniCluster cluster = startCluster(config)) {
                progress(
                        "MiniCluster started (1 TaskManager, 2 slots), state backend %s,"
                                + " checkpoints to %s every 2 s",
                        options.stateBackend(), DemoOptions.checkpointDir());
                retained = runOne(cluster, config, run1Job, summary);
                runTwo(cluster, config, run2Job, retained, summary);
            }
            requests = counters.snapshot().minus(before);
            summary.add(inspect(config, retained));
        }

        SortedMap<Integer, String> mismatches =
                ExpectedTotals.mismatches(run2Job.expected(), run2Job.results());
        String report = ExpectedTotals.report(mismatches, run2Job.expected().size());
        out.println();
        out.println("==== flink-recovery demo summary ====");
        out.printf("Job        : %s, state backend %s%n", run1Job, options.stateBackend());
        summary.forEach(out::println);
        out.printf("S3 requests: %s%n", describe(requests));
        out.printf("Wall time  : %.1f s%n", seconds());
        out.printf("Result     : %s, %s%n", mismatches.isEmpty() ? "OK" : "WRONG", report);
        return mismatches.isEmpty();
    }

    /**
     * Run 1: fails once mid-run and is restored by Flink from its latest checkpoint; once a newer
     * checkpoint completed, it is cancelled. Returns the retained checkpoint's pointer.
     */
    private String runOne(
            MiniCluster cluster, Configuration config, RunningTotalsJob job, List<String> summary)
            throws Exception {
        DemoJob run = DemoJob.submit(cluster, config, "running-totals run 1", job, null);
        progress(
                "Run 1 submitted (job %s): %d events at %.0f/s, fails once after %d events in"
                        + " subtask 0",
                run.id(), job.events(), job.eventsPerSecond(), job.failAfterRecords());
        CheckpointStatsSnapshot recovered = run.awaitRestoreAndNewerCheckpoint(STEP_TIMEOUT);
        RestoredCheckpointStats restore = recovered.getLatestRestoredCheckpoint();
        progress(
                "Run 1 failed (%s) and Flink restored it from %s; checkpoint %d completed"
                        + " since",
                job.hasFailed() ? "the injected failure" : "NOT the injected failure",
                describe(restore),
                recovered.getHistory().getLatestCompletedCheckpoint().getCheckpointId());

        run.cancel(STEP_TIMEOUT);
        CheckpointStatsSnapshot stats = run.checkpointStats();
        CompletedCheckpointStats latest = stats.getHistory().getLatestCompletedCheckpoint();
        String retained = latest.getExternalPath();
        progress(
                "Run 1 cancelled; retained checkpoint %d at %s",
                latest.getCheckpointId(), retained);

        summary.add(
                String.format(
                        Locale.ROOT,
                        "Run 1      : job %s, %s, %d keys received so far%n"
                                + "             in-run restore after the injected failure: %s%n"
                                + "             cancelled; retained checkpoint %d: %s",
                        run.id(),
                        describeCheckpoints(stats),
                        job.results().size(),
                        describe(stats.getLatestRestoredCheckpoint()),
                        latest.getCheckpointId(),
                        retained));
        return retained;
    }

    /**
     * The restore inspector's deep report of the retained checkpoint, which survives both runs:
     * every object it references exists, has its size and reads back in full.
     */
    private String inspect(Configuration config, String retained) throws IOException {
        progress("Inspecting %s", retained);
        InspectionReport report =
                new RestoreInspector(
                                S3ObjectStores.forSettings(S3ClientSettings.fromConfig(config)))
                        .validate(retained, true);
        StringBuilder line =
                new StringBuilder(
                        String.format(
                                "Inspector  : %s is %s: %d objects (%d bytes) exist with their"
                                        + " sizes and read back, %d bytes inlined, key groups"
                                        + " covered, %d findings",
                                report.pointer(),
                                report.isValid() ? "VALID" : "INVALID",
                                report.objectsChecked(),
                                report.referencedBytes(),
                                report.inlinedBytes(),
                                report.findings().size()));
        report.findings().forEach(f -> line.append("\n             ").append(f));
        return line.toString();
    }

    /** Run 2: the same job restored from {@code retained}, run to the end. */
    private void runTwo(
            MiniCluster cluster,
            Configuration config,
            RunningTotalsJob job,
            String retained,
            List<String> summary)
            throws Exception {
        DemoJob run = DemoJob.submit(cluster, config, "running-totals run 2", job, retained);
        progress("Run 2 submitted (job %s), restoring %s", run.id(), retained);
        run.awaitFinished(STEP_TIMEOUT);
        CheckpointStatsSnapshot stats = run.checkpointStats();
        progress("Run 2 finished");
        summary.add(
                String.format(
                        Locale.ROOT,
                        "Run 2      : job %s, %s, %s%n             restored from %s",
                        run.id(),
                        describeCheckpoints(stats),
                        run.status(),
                        describe(stats.getLatestRestoredCheckpoint())));
    }

    private static MiniCluster startCluster(Configuration config) throws Exception {
        MiniCluster cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(config)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(DemoOptions.PARALLELISM)
                                .withRandomPorts()
                                .build());
        cluster.start();
        return cluster;
    }

    /**
     * Makes Flink load the job's classes with the demo's class loader. For a job without jars,
     * Flink's {@code BlobLibraryCacheManager} uses the system class loader; under {@code mvn
     * exec:java}, the demo and Flink live in a child of it, and deserializing the job would fail
     * with {@code ClassNotFoundException}. A job classpath makes Flink create a user class loader
     * whose parent is Flink's own loader, and parent-first resolution keeps one copy of each class.
     */
    private static void useOwnClassLoader(Configuration config) {
        ClassLoader demoLoader = RecoveryDemo.class.getClassLoader();
        if (demoLoader == ClassLoader.getSystemClassLoader()) {
            return;
        }
        URL demoClasses = RecoveryDemo.class.getProtectionDomain().getCodeSource().getLocation();
        config.set(PipelineOptions.CLASSPATHS, List.of(demoClasses.toString()));
        config.set(CoreOptions.CLASSLOADER_RESOLVE_ORDER, "parent-first");
    }

    /** The data directory, emptied first if it is the demo's default one. */
    private Path prepareDataDir() throws IOException {
        Path dir = options.dataDir().toAbsolutePath().normalize();
        if (options.isDefaultDataDir() && Files.exists(dir)) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
            progress("Removed the previous demo's objects under %s", dir);
        }
        return dir;
    }

    /**
     * How many checkpoints completed and failed, and why the failed ones failed. Checkpoints that
     * could not even be triggered (tasks still deploying or restarting) are counted as failed by
     * Flink but never get an id or a history entry.
     */
    private static String describeCheckpoints(CheckpointStatsSnapshot stats) {
        long failed = stats.getCounts().getNumberOfFailedCheckpoints();
        StringBuilder reasons = new StringBuilder();
        long failedWithId = 0;
        for (AbstractCheckpointStats checkpoint : stats.getHistory().getCheckpoints()) {
            if (checkpoint instanceof FailedCheckpointStats) {
                failedWithId++;
                reasons.append(String.format(Locale.ROOT, "%n             "))
                        .append("checkpoint ")
                        .append(checkpoint.getCheckpointId())
                        .append(" failed: ")
                        .append(((FailedCheckpointStats) checkpoint).getFailureMessage());
            }
        }
        String notTriggered =
                failed > failedWithId
                        ? " (" + (failed - failedWithId) + " not triggered: tasks not running yet)"
                        : "";
        return stats.getCounts().getNumberOfCompletedCheckpoints()
                + " checkpoints completed, "
                + failed
                + " failed"
                + notTriggered
                + reasons;
    }

    private static String describe(RestoredCheckpointStats restored) {
        return restored == null
                ? "none"
                : "checkpoint "
                        + restored.getCheckpointId()
                        + " ("
                        + restored.getExternalPath()
                        + ")";
    }

    private static String describe(RequestCounters.Snapshot requests) {
        List<String> counts = new ArrayList<>();
        for (RequestKind kind : RequestKind.values()) {
            counts.add(kind + "=" + requests.requests(kind));
        }
        return String.join(" ", counts)
                + String.format(
                        Locale.ROOT,
                        "%n             bytes out=%,d in=%,d, throttled=%d",
                        requests.bytesOut(),
                        requests.bytesIn(),
                        requests.throttled());
    }

    private double seconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private void progress(String format, Object... args) {
        out.printf(
                Locale.ROOT, "[%5.1f s] %s%n", seconds(), String.format(Locale.ROOT, format, args));
    }
}
