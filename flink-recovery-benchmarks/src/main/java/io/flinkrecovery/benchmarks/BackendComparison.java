package io.flinkrecovery.benchmarks;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.minicluster.MiniCluster;

import io.flinkrecovery.inspect.RestoreInspector;
import io.flinkrecovery.inspect.RestorePlan;
import io.flinkrecovery.objectstore.ObjectInfo;
import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectStore;
import io.flinkrecovery.objectstore.RequestCounters;
import io.flinkrecovery.objectstore.s3.S3ClientSettings;
import io.flinkrecovery.objectstore.s3.S3ObjectStores;
import io.flinkrecovery.testing.EmbeddedS3Server;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Compares the incremental heap state backend with {@code HashMapStateBackend}, RocksDB incremental
 * and ForSt (its files local, and on {@code s3://}), side by side in one run, on our S3 checkpoint
 * storage on the embedded S3 server: the bytes and requests each checkpoint uploads when a fixed
 * fraction of the keys changed, state access throughput with checkpointing off, checkpoint
 * durations and restore times. Prints one table per measure with the ratios issue 3 targets, and
 * writes the printed text, every figure as JSON and a chart into the results directory ({@link
 * ResultFiles}).
 *
 * <p>Checkpoints are triggered explicitly (no periodic checkpointing) after each batch of updates,
 * so exactly the chosen fraction of keys changes between two checkpoints.
 */
public final class BackendComparison {

    private static final String BUCKET = BenchmarkCluster.BUCKET;

    /** The parallelism a retained checkpoint of the p=2 jobs is also restored at. */
    static final int RESCALED_PARALLELISM = 4;

    private final BenchmarkOptions options;
    private final PrintStream out;
    private final RunEnvironment environment;
    private final long startNanos = System.nanoTime();

    private BackendComparison(
            BenchmarkOptions options, PrintStream out, RunEnvironment environment) {
        this.options = options;
        this.out = out;
        this.environment = environment;
    }

    public static void main(String[] args) {
        // Before anything logs: our quiet configuration, not the examples' log4j2.properties that
        // is also on the class path.
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty(
                    "log4j2.configurationFile", "flink-recovery-benchmark-log4j2.properties");
        }
        BenchmarkOptions options = BenchmarkOptions.parseOrExit(args, "bin/benchmark");
        RunEnvironment environment = new RunEnvironment();
        int exitCode;
        try {
            ResultFiles files =
                    ResultFiles.choose(options.resultsDir, LocalDate.now(), options.resultsName);
            try (PrintStream out = files.teeText(System.out)) {
                exitCode = run(options, environment, files, out);
            }
        } catch (Throwable t) {
            System.err.println("The benchmark failed: " + t);
            t.printStackTrace();
            exitCode = 1;
        }
        // Flink, S3Proxy and the SDK leave non-daemon threads behind; exit explicitly.
        System.exit(exitCode);
    }

    /** Runs the comparison, printing to {@code out}, then writes its JSON and chart files. */
    private static int run(
            BenchmarkOptions options,
            RunEnvironment environment,
            ResultFiles files,
            PrintStream out)
            throws Exception {
        ComparisonResults results;
        try {
            results = new BackendComparison(options, out, environment).run();
        } catch (Exception e) {
            // The text file keeps what the run printed; let it say how the run ended.
            out.println("The benchmark failed: " + e);
            throw e;
        }
        ComparisonJson.write(results, files.json());
        ComparisonChart.write(results, files.chart());
        out.printf("%nWrote %s, %s and %s%n", files.text(), files.json(), files.chart());
        return results.allKeysRestored() ? 0 : 1;
    }

    ComparisonResults run() throws Exception {
        boolean temporary = options.dataDir == null;
        Path dataDir =
                temporary
                        ? Files.createTempDirectory("flink-recovery-benchmark-s3")
                        : options.dataDir;
        out.printf(
                "flink-recovery backend comparison, %s%n",
                LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).substring(0, 19));
        out.printf(
                "Machine: %d cores, load %s, JVM %s, max heap %,d MB; Flink %s; commit %s%s%n",
                environment.availableProcessors,
                environment.loadAtStart,
                environment.javaVersion,
                environment.maxHeapBytes >> 20,
                environment.flinkVersion,
                environment.git.commit,
                Boolean.TRUE.equals(environment.git.dirty) ? " with local changes" : "");
        out.printf("Workload: %s%n", options);
        try (EmbeddedS3Server s3 = EmbeddedS3Server.start(dataDir)) {
            s3.createBucket(BUCKET);
            s3.faults().setLatency(Duration.ofMillis(options.s3LatencyMillis));
            progress("S3 server at %s, objects under %s", s3.endpoint(), dataDir);
            Configuration base = Configuration.fromMap(s3.flinkConfig());
            BenchmarkCluster.useOwnClassLoader(base);
            // The MiniCluster does not initialize file systems; Flink's s3:// must be ours.
            FileSystem.initialize(base, null);
            ObjectStore store = S3ObjectStores.forSettings(S3ClientSettings.fromConfig(base));

            progress("Measuring the S3 server's loopback speed");
            LoopbackSpeed loopback =
                    LoopbackSpeed.measure(store, ObjectLocation.of(BUCKET, "loopback"));

            Map<Backend, List<Double>> throughput;
            Map<Backend, CheckpointRun> runs = new EnumMap<>(Backend.class);
            try (MiniCluster cluster =
                    BenchmarkCluster.start(
                            base,
                            Backend.checkpointed(false, !options.withoutForst).size()
                                    * options.parallelism,
                            options.checkpoints + 10)) {
                throughput = measureThroughput(cluster, s3);
                for (Backend backend :
                        Backend.checkpointed(options.compression, !options.withoutForst)) {
                    runs.put(backend, measureCheckpoints(cluster, s3, store, backend));
                }
            }
            progress("Done");
            List<Target> targets =
                    new ComparisonReport(options, out)
                            .print(
                                    throughput,
                                    runs,
                                    loopback,
                                    (System.nanoTime() - startNanos) / 1e9);
            environment.finish();
            ComparisonResults results =
                    new ComparisonResults(
                            options,
                            environment,
                            (System.nanoTime() - startNanos) / 1e9,
                            throughput,
                            runs,
                            loopback,
                            targets);
            out.printf("%nLoad average at the end: %s%n", environment.loadAtEnd);
            if (!results.allKeysRestored()) {
                out.println("ERROR: a restored job did not find every key; see table 5.");
            }
            return results;
        } finally {
            if (temporary) {
                BenchmarkCluster.deleteRecursively(dataDir);
            }
        }
    }

    // ---------------------------------------------------------------- throughput

    /**
     * Updates/s of each backend with checkpointing off. The jobs, one per backend, run at once but
     * take turns, in the order of {@link InterleavedRounds}.
     */
    private Map<Backend, List<Double>> measureThroughput(MiniCluster cluster, EmbeddedS3Server s3)
            throws Exception {
        Map<Backend, UpdateJob> jobs = new EnumMap<>(Backend.class);
        // Snapshot compression changes nothing while checkpointing is off.
        for (Backend backend : Backend.checkpointed(false, !options.withoutForst)) {
            JobControl control =
                    JobControl.register("throughput-" + backend.id(), options.parallelism);
            Configuration config = BenchmarkCluster.jobConfig(s3, backend, options.jobSettings);
            jobs.put(backend, UpdateJob.submit(cluster, config, control, options.workload(), null));
        }
        for (Map.Entry<Backend, UpdateJob> job : jobs.entrySet()) {
            job.getValue().awaitRunning();
            long start = System.nanoTime();
            long loaded = job.getValue().run(JobControl.Kind.LOAD, 0, 0);
            progress(
                    "Throughput: %s loaded %,d keys in %.1f s",
                    job.getKey().label(), loaded, (System.nanoTime() - start) / 1e9);
        }
        Map<Backend, List<Double>> rates =
                InterleavedRounds.run(
                        jobs.keySet(),
                        options.throughputRounds,
                        backend -> {
                            long start = System.nanoTime();
                            long updates =
                                    jobs.get(backend)
                                            .run(
                                                    JobControl.Kind.THROUGHPUT,
                                                    0,
                                                    options.throughputUpdates);
                            return updates / ((System.nanoTime() - start) / 1e9);
                        },
                        (backend, round, rate) ->
                                progress(
                                        "Throughput %s: %s %s updates",
                                        round == 0 ? "warm-up" : "round " + round,
                                        backend.label(),
                                        Stats.rate(rate)));
        for (UpdateJob job : jobs.values()) {
            job.stop();
            job.control().unregister();
        }
        return rates;
    }

    // ---------------------------------------------------------------- checkpoints and restore

    private CheckpointRun measureCheckpoints(
            MiniCluster cluster, EmbeddedS3Server s3, ObjectStore store, Backend backend)
            throws Exception {
        CheckpointRun run = new CheckpointRun(backend);
        RequestCounters counters = store.counters();
        JobControl control =
                JobControl.register("checkpoints-" + backend.id(), options.parallelism);
        Configuration config = BenchmarkCluster.jobConfig(s3, backend, options.jobSettings);
        UpdateJob job = UpdateJob.submit(cluster, config, control, options.workload(), null);
        run.startSeconds = job.awaitRunning();
        job.run(JobControl.Kind.LOAD, 0, 0);

        RequestCounters.Snapshot before = counters.snapshot();
        String latest = job.checkpoint();
        run.initialRequests = counters.snapshot().minus(before);
        run.initialId = BenchmarkCluster.checkpointId(latest);
        progress(
                "%s: loaded %,d keys; initial checkpoint %d uploaded %s",
                backend.label(),
                options.keys,
                run.initialId,
                Stats.mb(run.initialRequests.bytesOut()));

        for (int i = 0; i < options.checkpoints; i++) {
            RequestCounters.Snapshot beforeUpdates = counters.snapshot();
            long updated = job.run(JobControl.Kind.UPDATE, options.updateFraction, 0);
            run.changedBytes.add(updated * options.workload().changedBytesPerUpdate());
            before = counters.snapshot();
            run.requestsWhileUpdating.add(before.minus(beforeUpdates));
            latest = job.checkpoint();
            RequestCounters.Snapshot requests = counters.snapshot().minus(before);
            run.requests.add(requests);
            run.ids.add(BenchmarkCluster.checkpointId(latest));
        }
        CheckpointStatsSnapshot stats = job.checkpointStats();
        for (AbstractCheckpointStats checkpoint : stats.getHistory().getCheckpoints()) {
            if (checkpoint instanceof CompletedCheckpointStats) {
                run.times.put(
                        checkpoint.getCheckpointId(),
                        CheckpointTimes.of((CompletedCheckpointStats) checkpoint));
            }
        }
        progress(
                "%s: %d checkpoints, median upload %s, median end-to-end %s",
                backend.label(),
                options.checkpoints,
                Stats.mb(Stats.median(run.uploaded())),
                Stats.millis(Stats.median(run.endToEndMillis())));
        job.cancel();

        for (int i = 0; i < options.restores; i++) {
            before = counters.snapshot();
            // Each restore starts on a collected heap, as each throughput round does: otherwise
            // the previous restore's state, garbage now, is collected during this one, and a heap
            // backend's restore times depend on where that pause falls.
            System.gc();
            HeapSampler heap = i == 0 ? HeapSampler.start() : null;
            UpdateJob restored =
                    UpdateJob.submit(cluster, config, control, options.workload(), latest);
            double seconds = restored.awaitRunning();
            restored.run(JobControl.Kind.THROUGHPUT, 0, options.restoreRecords);
            double caughtUp = restored.secondsSinceSubmit();
            // Until (b): a restore that defers work past (a) must not hide its heap.
            if (heap != null) {
                run.restorePeakHeapBytes = heap.stop();
            }
            RequestCounters.Snapshot requests = counters.snapshot().minus(before);
            run.restoreSeconds.add(seconds);
            run.caughtUpSeconds.add(caughtUp);
            if (i == 0) {
                run.restoreRequests = requests;
                restored.run(JobControl.Kind.VERIFY, 0, 0);
                run.verifiedPresent = control.present();
                run.verifiedMissing = control.missing();
            }
            restored.cancel();
            progress(
                    "%s: restore %d of %d: submit -> running %s, -> %,d records processed %s",
                    backend.label(),
                    i + 1,
                    options.restores,
                    Stats.seconds(seconds),
                    options.restoreRecords,
                    Stats.seconds(caughtUp));
        }
        control.unregister();
        rescale(cluster, config, store, backend, latest, run);
        rawGet(store, latest, run);
        return run;
    }

    /**
     * Restores the retained checkpoint at {@link #RESCALED_PARALLELISM}: what it reads in all, and
     * what the inspector plans for its largest subtask against a fair share of the state.
     */
    private void rescale(
            MiniCluster cluster,
            Configuration config,
            ObjectStore store,
            Backend backend,
            String latest,
            CheckpointRun run)
            throws Exception {
        RestoreInspector inspector = new RestoreInspector(store);
        run.stateBytes =
                inspector.plan(latest, options.parallelism).subtasks().stream()
                        .mapToLong(RestorePlan.Subtask::bytes)
                        .sum();
        run.rescalePlannedMaxBytes =
                inspector.plan(latest, RESCALED_PARALLELISM).subtasks().stream()
                        .mapToLong(RestorePlan.Subtask::bytes)
                        .max()
                        .orElse(0);
        JobControl control = JobControl.register("rescale-" + backend.id(), RESCALED_PARALLELISM);
        RequestCounters.Snapshot before = store.counters().snapshot();
        UpdateJob restored =
                UpdateJob.submit(
                        cluster,
                        config,
                        control,
                        options.workload().withParallelism(RESCALED_PARALLELISM),
                        latest);
        run.rescaleSeconds = restored.awaitRunning();
        // What it reads by the time its first records are processed: a backend that defers reads
        // past running (ours) must still count them.
        restored.run(JobControl.Kind.THROUGHPUT, 0, options.restoreRecords);
        run.rescaleRequests = store.counters().snapshot().minus(before);
        restored.cancel();
        control.unregister();
        progress(
                "%s: restore at parallelism %d: running %s, read %s by %,d records processed"
                        + " (largest subtask planned %s, a share is %s)",
                backend.label(),
                RESCALED_PARALLELISM,
                Stats.seconds(run.rescaleSeconds),
                Stats.mb(run.rescaleRequests.bytesIn()),
                options.restoreRecords,
                Stats.mb(run.rescalePlannedMaxBytes),
                Stats.mb(run.rescaleShare()));
    }

    /**
     * Reads every object of the retained checkpoint (its own directory and everything shared) with
     * as many parallel GETs as the restoring subtasks use together: the physical lower bound of a
     * restore.
     */
    private void rawGet(ObjectStore store, String pointer, CheckpointRun run) throws Exception {
        String checkpointDir = pointer.replaceAll("/+$", "");
        String jobDir = checkpointDir.substring(0, checkpointDir.lastIndexOf('/') + 1);
        String own = checkpointDir.substring(checkpointDir.lastIndexOf('/')) + "/";
        List<ObjectInfo> objects;
        try (Stream<ObjectInfo> listed = store.list(ObjectLocation.parse(jobDir))) {
            objects =
                    listed.filter(
                                    o -> {
                                        String key = "/" + o.location().key();
                                        return !key.contains("/chk-") || key.contains(own);
                                    })
                            .collect(Collectors.toList());
        }
        int threads = options.parallelism * 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long start = System.nanoTime();
            List<Future<Long>> reads = new ArrayList<>();
            for (ObjectInfo object : objects) {
                reads.add(
                        pool.submit(
                                () ->
                                        LoopbackSpeed.readFully(
                                                store.open(object.location()), new byte[1 << 16])));
            }
            long bytes = 0;
            for (Future<Long> read : reads) {
                bytes += read.get();
            }
            run.rawSeconds = (System.nanoTime() - start) / 1e9;
            run.rawBytes = bytes;
            run.rawObjects = objects.size();
        } finally {
            pool.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- setup

    private void progress(String format, Object... args) {
        out.printf(
                "[%6.1f s] %s%n",
                (System.nanoTime() - startNanos) / 1e9, String.format(format, args));
    }
}
