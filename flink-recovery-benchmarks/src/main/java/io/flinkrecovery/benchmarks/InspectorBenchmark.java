package io.flinkrecovery.benchmarks;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.runtime.minicluster.MiniCluster;

import io.flinkrecovery.inspect.InspectionReport;
import io.flinkrecovery.inspect.RestoreInspector;
import io.flinkrecovery.inspect.cli.InspectCli;
import io.flinkrecovery.objectstore.ObjectStore;
import io.flinkrecovery.objectstore.RequestCounters;
import io.flinkrecovery.objectstore.RequestKind;
import io.flinkrecovery.objectstore.s3.S3ClientSettings;
import io.flinkrecovery.objectstore.s3.S3ObjectStores;
import io.flinkrecovery.testing.EmbeddedS3Server;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How long the restore inspector takes, and how many requests it sends, to validate a large
 * retained checkpoint of our backend and of RocksDB incremental, in fast and in deep mode. Builds
 * the checkpoints itself: {@code --keys} x {@code --value-size} of state, then {@code
 * --checkpoints} incremental checkpoints of {@code --update-fraction} of the keys each, so that the
 * validated checkpoint references a chain of objects. Run with {@code bin/benchmark inspector
 * --keys 1000000 --value-size 1000 --checkpoints 5}.
 */
public final class InspectorBenchmark {

    /** Validations per checkpoint and mode: the first pays for cold caches and JIT. */
    private static final int REPEATS = 3;

    private static final List<Backend> BACKENDS =
            List.of(Backend.INCREMENTAL_HEAP, Backend.ROCKSDB_INCREMENTAL);

    private final BenchmarkOptions options;
    private final PrintStream out;
    private final long startNanos = System.nanoTime();

    private InspectorBenchmark(BenchmarkOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        BenchmarkOptions options = BenchmarkOptions.parseOrExit(args, "bin/benchmark inspector");
        new InspectorBenchmark(options, System.out).run();
        System.exit(0);
    }

    private void run() throws Exception {
        boolean temporary = options.dataDir == null;
        Path dataDir =
                temporary ? Files.createTempDirectory("flink-recovery-inspector") : options.dataDir;
        out.printf(
                "Restore inspector on large checkpoints: %,d keys x %d B values, parallelism %d,"
                        + " then %d checkpoints of %.2f%% of the keys%n",
                options.keys,
                options.valueSize,
                options.parallelism,
                options.checkpoints,
                options.updateFraction * 100);
        Table table =
                new Table(
                        "Validating the last retained checkpoint (library, "
                                + "the CLI's 16 threads; HEAD per object, deep: GET of every byte)",
                        "backend",
                        "mode",
                        "state",
                        "objects",
                        "first",
                        "median of " + REPEATS,
                        "HEAD",
                        "GET",
                        "LIST",
                        "bytes read",
                        "findings");
        Table reports =
                new Table(
                        "The checkpoint history report of each job directory (flink-recovery-inspect"
                                + " report --html, the CLI in this JVM; every retained checkpoint"
                                + " fast-checked)",
                        "backend",
                        "checkpoints",
                        "HTML",
                        "time");
        try (EmbeddedS3Server s3 = EmbeddedS3Server.start(dataDir)) {
            s3.createBucket(BenchmarkCluster.BUCKET);
            s3.faults().setLatency(Duration.ofMillis(options.s3LatencyMillis));
            Configuration base = Configuration.fromMap(s3.flinkConfig());
            BenchmarkCluster.useOwnClassLoader(base);
            // Every checkpoint of the chain stays, for the history report.
            base.setString(
                    "execution.checkpointing.num-retained",
                    Integer.toString(options.checkpoints + 1));
            FileSystem.initialize(base, null);
            ObjectStore store = S3ObjectStores.forSettings(S3ClientSettings.fromConfig(base));
            RestoreInspector inspector = new RestoreInspector(store);
            try (MiniCluster cluster =
                    BenchmarkCluster.start(base, options.parallelism, options.checkpoints + 10)) {
                for (Backend backend : BACKENDS) {
                    String pointer = buildCheckpoint(cluster, s3, backend);
                    reports.row(report(s3, backend, pointer, dataDir));
                    for (boolean deep : new boolean[] {false, true}) {
                        List<Double> seconds = new ArrayList<>();
                        RequestCounters.Snapshot requests = null;
                        InspectionReport report = null;
                        for (int i = 0; i < REPEATS; i++) {
                            RequestCounters.Snapshot before = store.counters().snapshot();
                            long start = System.nanoTime();
                            report = inspector.validate(pointer, deep);
                            seconds.add((System.nanoTime() - start) / 1e9);
                            if (requests == null) {
                                requests = store.counters().snapshot().minus(before);
                            }
                        }
                        table.row(
                                backend.label(),
                                deep ? "--deep" : "fast",
                                Stats.mb(report.referencedBytes()),
                                String.valueOf(report.objectsChecked()),
                                Stats.seconds(seconds.get(0)),
                                Stats.seconds(Stats.median(seconds)),
                                String.valueOf(requests.requests(RequestKind.HEAD)),
                                String.valueOf(requests.requests(RequestKind.GET)),
                                String.valueOf(requests.requests(RequestKind.LIST)),
                                Stats.mb(requests.bytesIn()),
                                String.valueOf(report.findings().size()));
                        progress(
                                "%s: %s validation of %s: first %s, median of %d %s",
                                backend.label(),
                                deep ? "deep" : "fast",
                                pointer,
                                Stats.seconds(seconds.get(0)),
                                REPEATS,
                                Stats.seconds(Stats.median(seconds)));
                    }
                }
            }
        } finally {
            if (temporary) {
                BenchmarkCluster.deleteRecursively(dataDir);
            }
        }
        out.println();
        table.print(out);
        out.println();
        reports.print(out);
    }

    /** Runs {@code report <job-dir> --html} as an operator would, and times it. */
    private String[] report(EmbeddedS3Server s3, Backend backend, String pointer, Path dataDir)
            throws Exception {
        String jobDir = pointer.replaceAll("/chk-\\d+/?$", "");
        Path html = dataDir.resolve("report-" + backend.id() + ".html");
        List<String> args = new ArrayList<>();
        Map<String, String> keys = s3.flinkConfig();
        args.add("--endpoint=" + keys.get("s3.endpoint"));
        args.add("--region=" + keys.getOrDefault("s3.region", "us-east-1"));
        args.add("--access-key=" + keys.get("s3.access-key"));
        args.add("--secret-key=" + keys.get("s3.secret-key"));
        if (Boolean.parseBoolean(keys.getOrDefault("s3.path.style.access", "false"))) {
            args.add("--path-style");
        }
        args.addAll(
                List.of(
                        "report",
                        jobDir,
                        "--html",
                        html.toString(),
                        "--parallelism",
                        Integer.toString(options.parallelism * 2)));
        ByteArrayOutputStream ignored = new ByteArrayOutputStream();
        long start = System.nanoTime();
        int code =
                InspectCli.run(
                        args.toArray(new String[0]),
                        new PrintStream(ignored, true, StandardCharsets.UTF_8),
                        new PrintStream(ignored, true, StandardCharsets.UTF_8),
                        Map.of());
        double seconds = (System.nanoTime() - start) / 1e9;
        if (code != 0) {
            throw new IllegalStateException(
                    "report exited with " + code + ": " + ignored.toString(StandardCharsets.UTF_8));
        }
        String page = Files.readString(html);
        int checkpoints = page.split("<tr class=\"checkpoint\"", -1).length - 1;
        progress(
                "%s: report of %s in %s: %s",
                backend.label(), jobDir, Stats.seconds(seconds), html);
        return new String[] {
            backend.label(),
            String.valueOf(checkpoints),
            String.format("%,d KB", Files.size(html) / 1024),
            Stats.seconds(seconds)
        };
    }

    /** Loads the state, takes the checkpoints and returns the pointer of the last one. */
    private String buildCheckpoint(MiniCluster cluster, EmbeddedS3Server s3, Backend backend)
            throws Exception {
        JobControl control = JobControl.register("inspect-" + backend.id(), options.parallelism);
        Configuration config = BenchmarkCluster.jobConfig(s3, backend, options.jobSettings);
        UpdateJob job = UpdateJob.submit(cluster, config, control, options.workload(), null);
        job.awaitRunning();
        job.run(JobControl.Kind.LOAD, 0, 0);
        String latest = job.checkpoint();
        progress("%s: loaded %,d keys, checkpoint %s", backend.label(), options.keys, latest);
        for (int i = 0; i < options.checkpoints; i++) {
            job.run(JobControl.Kind.UPDATE, options.updateFraction, 0);
            latest = job.checkpoint();
        }
        progress("%s: %d more checkpoints, last %s", backend.label(), options.checkpoints, latest);
        job.cancel();
        control.unregister();
        return latest;
    }

    private void progress(String format, Object... args) {
        out.printf(
                "[%6.1f s] %s%n",
                (System.nanoTime() - startNanos) / 1e9, String.format(format, args));
    }
}
