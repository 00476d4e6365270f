package io.flinkrecovery.benchmarks;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.checkpoint.SubtaskStateStats;
import org.apache.flink.runtime.checkpoint.TaskStateStats;
import org.apache.flink.runtime.minicluster.MiniCluster;

import io.flinkrecovery.objectstore.ObjectInfo;
import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectStore;
import io.flinkrecovery.objectstore.RequestCounters;
import io.flinkrecovery.objectstore.RequestKind;
import io.flinkrecovery.objectstore.s3.S3ClientSettings;
import io.flinkrecovery.objectstore.s3.S3ObjectStores;
import io.flinkrecovery.testing.EmbeddedS3Server;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Compares the incremental heap state backend with {@code HashMapStateBackend} and RocksDB
 * incremental, side by side in one run, on our S3 checkpoint storage on the embedded S3 server: the
 * bytes and requests each checkpoint uploads when a fixed fraction of the keys changed, state
 * access throughput with checkpointing off, checkpoint durations and restore times. Prints one
 * table per measure with the ratios issue 3 targets.
 *
 * <p>Checkpoints are triggered explicitly (no periodic checkpointing) after each batch of updates,
 * so exactly the chosen fraction of keys changes between two checkpoints.
 */
public final class BackendComparison {

    private static final String BUCKET = BenchmarkCluster.BUCKET;
    private static final int KEY_BYTES = Long.BYTES;

    private final BenchmarkOptions options;
    private final PrintStream out;
    private final long startNanos = System.nanoTime();

    private BackendComparison(BenchmarkOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static void main(String[] args) {
        // Before anything logs: our quiet configuration, not the examples' log4j2.properties that
        // is also on the class path.
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty(
                    "log4j2.configurationFile", "flink-recovery-benchmark-log4j2.properties");
        }
        BenchmarkOptions options = BenchmarkOptions.parseOrExit(args, "bin/benchmark");
        int exitCode;
        try {
            exitCode = new BackendComparison(options, System.out).run() ? 0 : 1;
        } catch (Throwable t) {
            System.err.println("The benchmark failed: " + t);
            t.printStackTrace();
            exitCode = 1;
        }
        // Flink, S3Proxy and the SDK leave non-daemon threads behind; exit explicitly.
        System.exit(exitCode);
    }

    /** What one backend's checkpoint and restore phase measured. */
    private static final class CheckpointRun {
        final Backend backend;
        double startSeconds;
        RequestCounters.Snapshot initialRequests;
        long initialId;
        final List<Long> changedBytes = new ArrayList<>();
        final List<RequestCounters.Snapshot> requests = new ArrayList<>();
        final List<Long> ids = new ArrayList<>();
        final Map<Long, CompletedCheckpointStats> stats = new HashMap<>();

        /** Restore (a): submit -> every subtask running with its state. */
        final List<Double> restoreSeconds = new ArrayList<>();

        /** Restore (b): submit -> the first {@code restoreRecords} records processed. */
        final List<Double> caughtUpSeconds = new ArrayList<>();

        RequestCounters.Snapshot restoreRequests;
        long verifiedPresent;
        long verifiedMissing;
        int rawObjects;
        long rawBytes;
        double rawSeconds;

        CheckpointRun(Backend backend) {
            this.backend = backend;
        }

        List<Long> uploaded() {
            return requests.stream().map(RequestCounters.Snapshot::bytesOut).toList();
        }

        /** Object writes (single PUTs and multipart uploads) per checkpoint. */
        List<Double> writes() {
            return requests.stream().map(BackendComparison::writes).toList();
        }

        /** Writes per subtask per checkpoint, without the JobManager's one {@code _metadata}. */
        List<Double> writesPerSubtask(int parallelism) {
            return writes().stream().map(w -> (w - 1) / parallelism).toList();
        }

        List<Long> endToEndMillis() {
            return ids.stream()
                    .map(stats::get)
                    .filter(s -> s != null)
                    .map(AbstractCheckpointStats::getEndToEndDuration)
                    .toList();
        }

        /** Per checkpoint, the longest of the subtasks' {@code phase} durations. */
        List<Long> slowestSubtaskMillis(ToLongFunction<SubtaskStateStats> phase) {
            List<Long> result = new ArrayList<>();
            for (long id : ids) {
                CompletedCheckpointStats checkpoint = stats.get(id);
                if (checkpoint == null) {
                    continue;
                }
                long slowest = 0;
                for (TaskStateStats task : checkpoint.getAllTaskStateStats()) {
                    for (SubtaskStateStats subtask : task.getSubtaskStats()) {
                        if (subtask != null) {
                            slowest = Math.max(slowest, phase.applyAsLong(subtask));
                        }
                    }
                }
                result.add(slowest);
            }
            return result;
        }

        List<Long> checkpointedSizes() {
            return ids.stream()
                    .map(stats::get)
                    .filter(s -> s != null)
                    .map(AbstractCheckpointStats::getCheckpointedSize)
                    .toList();
        }
    }

    /** Single PUTs plus multipart uploads (a create and a complete request each). */
    private static double writes(RequestCounters.Snapshot requests) {
        return requests.requests(RequestKind.PUT)
                + requests.requests(RequestKind.MULTIPART_CONTROL) / 2.0;
    }

    boolean run() throws Exception {
        boolean temporary = options.dataDir == null;
        Path dataDir =
                temporary
                        ? Files.createTempDirectory("flink-recovery-benchmark-s3")
                        : options.dataDir;
        out.printf(
                "flink-recovery backend comparison, %s%n",
                LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).substring(0, 19));
        out.printf(
                "Machine: %d cores, JVM %s, max heap %,d MB%n",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20);
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
                            Backend.checkpointed(false).size() * options.parallelism,
                            options.checkpoints + 10)) {
                throughput = measureThroughput(cluster, s3);
                for (Backend backend : Backend.checkpointed(options.compression)) {
                    runs.put(backend, measureCheckpoints(cluster, s3, store, backend));
                }
            }
            progress("Done");
            return report(throughput, runs, loopback);
        } finally {
            if (temporary) {
                BenchmarkCluster.deleteRecursively(dataDir);
            }
        }
    }

    // ---------------------------------------------------------------- throughput

    /**
     * Updates/s of each backend with checkpointing off. The three jobs run at once but take turns,
     * in the order of {@link InterleavedRounds}.
     */
    private Map<Backend, List<Double>> measureThroughput(MiniCluster cluster, EmbeddedS3Server s3)
            throws Exception {
        Map<Backend, UpdateJob> jobs = new EnumMap<>(Backend.class);
        // Snapshot compression changes nothing while checkpointing is off.
        for (Backend backend : Backend.checkpointed(false)) {
            JobControl control =
                    JobControl.register("throughput-" + backend.id(), options.parallelism);
            Configuration config = BenchmarkCluster.jobConfig(s3, backend, options.jobSettings);
            jobs.put(backend, UpdateJob.submit(cluster, config, control, options, null));
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
        UpdateJob job = UpdateJob.submit(cluster, config, control, options, null);
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
            long updated = job.run(JobControl.Kind.UPDATE, options.updateFraction, 0);
            run.changedBytes.add(updated * (KEY_BYTES + options.valueSize));
            before = counters.snapshot();
            latest = job.checkpoint();
            RequestCounters.Snapshot requests = counters.snapshot().minus(before);
            run.requests.add(requests);
            run.ids.add(BenchmarkCluster.checkpointId(latest));
        }
        CheckpointStatsSnapshot stats = job.checkpointStats();
        for (AbstractCheckpointStats checkpoint : stats.getHistory().getCheckpoints()) {
            if (checkpoint instanceof CompletedCheckpointStats) {
                run.stats.put(checkpoint.getCheckpointId(), (CompletedCheckpointStats) checkpoint);
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
            UpdateJob restored = UpdateJob.submit(cluster, config, control, options, latest);
            double seconds = restored.awaitRunning();
            restored.run(JobControl.Kind.THROUGHPUT, 0, options.restoreRecords);
            double caughtUp = restored.secondsSinceSubmit();
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
        rawGet(store, latest, run);
        return run;
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

    // ---------------------------------------------------------------- report

    private boolean report(
            Map<Backend, List<Double>> throughput,
            Map<Backend, CheckpointRun> runs,
            LoopbackSpeed loopback) {
        CheckpointRun ours = runs.get(Backend.INCREMENTAL_HEAP);
        CheckpointRun rocks = runs.get(Backend.ROCKSDB_INCREMENTAL);
        double changed = Stats.median(ours.changedBytes);
        long updatesPerCheckpoint = Math.round(changed / (KEY_BYTES + options.valueSize));
        List<String> verdicts = new ArrayList<>();
        boolean consistent = true;

        out.println();
        out.printf(
                "==== Results (MB = 10^6 bytes; ratios are from this run; wall time %.0f s) ====%n",
                (System.nanoTime() - startNanos) / 1e9);

        Table upload =
                new Table(
                        String.format(
                                "1. Bytes uploaded per checkpoint (S3 bytes sent, incl. _metadata),"
                                        + " %d checkpoints after the initial one; changed per"
                                        + " checkpoint: %,d keys x (%d B key + %d B value) = %s",
                                options.checkpoints,
                                updatesPerCheckpoint,
                                KEY_BYTES,
                                options.valueSize,
                                Stats.mb(changed)),
                        "backend",
                        "initial",
                        "min",
                        "median",
                        "mean",
                        "max",
                        "median/changed",
                        "mean/changed",
                        "max/changed",
                        "Flink checkpointed size (median)");
        for (CheckpointRun run : runs.values()) {
            List<Long> uploaded = run.uploaded();
            upload.row(
                    run.backend.label(),
                    Stats.mb(run.initialRequests.bytesOut()),
                    Stats.mb(Stats.min(uploaded)),
                    Stats.mb(Stats.median(uploaded)),
                    Stats.mb(Stats.mean(uploaded)),
                    Stats.mb(Stats.max(uploaded)),
                    Stats.ratio(Stats.median(uploaded) / changed),
                    Stats.ratio(Stats.mean(uploaded) / changed),
                    Stats.ratio(Stats.max(uploaded) / changed),
                    Stats.mb(Stats.median(run.checkpointedSizes())));
        }
        double medianRatio = Stats.median(ours.uploaded()) / changed;
        double meanRatio = Stats.mean(ours.uploaded()) / changed;
        verdicts.add(
                target(
                        upload,
                        "ours median upload <= 1.5x changed",
                        Stats.ratio(medianRatio),
                        medianRatio <= 1.5));
        verdicts.add(
                target(
                        upload,
                        "ours mean upload <= 3x changed",
                        Stats.ratio(meanRatio),
                        meanRatio <= 3.0));
        upload.print(out);

        Table requests =
                new Table(
                        "2. Object writes per checkpoint (a multipart upload counts once, its parts"
                                + " not; per subtask = (writes - 1 _metadata) / parallelism)",
                        "backend",
                        "PUT (mean)",
                        "multipart uploads (mean)",
                        "parts (mean)",
                        "per subtask (mean)",
                        "per subtask (max)");
        for (CheckpointRun run : runs.values()) {
            requests.row(
                    run.backend.label(),
                    String.format("%.1f", mean(run, RequestKind.PUT)),
                    String.format("%.1f", mean(run, RequestKind.MULTIPART_CONTROL) / 2),
                    String.format("%.1f", mean(run, RequestKind.MULTIPART_PART)),
                    String.format("%.2f", Stats.mean(run.writesPerSubtask(options.parallelism))),
                    String.format("%.2f", Stats.max(run.writesPerSubtask(options.parallelism))));
        }
        double maxWrites = Stats.max(ours.writesPerSubtask(options.parallelism));
        verdicts.add(
                target(
                        requests,
                        "ours <= 2 writes per subtask per checkpoint (max)",
                        String.format("%.2f", maxWrites),
                        maxWrites <= 2.0));
        requests.print(out);

        Table speed =
                InterleavedRounds.table(
                        String.format(
                                "3. State-access throughput, checkpointing off (updates/s of a source"
                                        + " chained to a keyed ValueState<byte[]> writer; %d"
                                        + " interleaved rounds of %,d updates)",
                                options.throughputRounds, options.throughputUpdates),
                        throughput);
        double hashMapRate = Stats.median(throughput.get(Backend.HASHMAP));
        double speedRatio = Stats.median(throughput.get(Backend.INCREMENTAL_HEAP)) / hashMapRate;
        verdicts.add(
                target(speed, "ours >= 0.9x HashMap", Stats.ratio(speedRatio), speedRatio >= 0.9));
        speed.print(out);

        Table duration =
                new Table(
                        "4. Checkpoint end-to-end duration (Flink's checkpoint statistics; the"
                                + " phases are the slowest subtask's)",
                        "backend",
                        "initial",
                        "median",
                        "mean",
                        "max",
                        "sync phase (median)",
                        "async phase (median)",
                        "median vs RocksDB");
        double rocksDuration = Stats.median(rocks.endToEndMillis());
        for (CheckpointRun run : runs.values()) {
            CompletedCheckpointStats initial = run.stats.get(run.initialId);
            duration.row(
                    run.backend.label(),
                    initial == null ? "n/a" : Stats.millis(initial.getEndToEndDuration()),
                    Stats.millis(Stats.median(run.endToEndMillis())),
                    Stats.millis(Stats.mean(run.endToEndMillis())),
                    Stats.millis(Stats.max(run.endToEndMillis())),
                    Stats.millis(
                            Stats.median(
                                    run.slowestSubtaskMillis(
                                            SubtaskStateStats::getSyncCheckpointDuration))),
                    Stats.millis(
                            Stats.median(
                                    run.slowestSubtaskMillis(
                                            SubtaskStateStats::getAsyncCheckpointDuration))),
                    Stats.ratio(Stats.median(run.endToEndMillis()) / rocksDuration));
        }
        double ourDuration = Stats.median(ours.endToEndMillis());
        verdicts.add(
                target(
                        duration,
                        "ours median <= RocksDB incremental's median",
                        Stats.millis(ourDuration) + " vs " + Stats.millis(rocksDuration),
                        ourDuration <= rocksDuration));
        duration.print(out);

        Table restore =
                new Table(
                        String.format(
                                "5. Restore of the last retained checkpoint (%d restores each):"
                                        + " (a) submit -> every subtask running with its state;"
                                        + " (b) submit -> the first %,d records (random updates of"
                                        + " restored keys) processed; a fresh submit without"
                                        + " state for reference",
                                options.restores, options.restoreRecords),
                        "backend",
                        "fresh submit",
                        "(a) median",
                        "(a) min",
                        "(a) max",
                        "(a) vs RocksDB",
                        "(b) median",
                        "(b) min",
                        "(b) max",
                        "(b) vs RocksDB",
                        "bytes read",
                        "GETs",
                        "keys found");
        double rocksRestore = Stats.median(rocks.restoreSeconds);
        double rocksCaughtUp = Stats.median(rocks.caughtUpSeconds);
        for (CheckpointRun run : runs.values()) {
            restore.row(
                    run.backend.label(),
                    Stats.seconds(run.startSeconds),
                    Stats.seconds(Stats.median(run.restoreSeconds)),
                    Stats.seconds(Stats.min(run.restoreSeconds)),
                    Stats.seconds(Stats.max(run.restoreSeconds)),
                    Stats.ratio(Stats.median(run.restoreSeconds) / rocksRestore),
                    Stats.seconds(Stats.median(run.caughtUpSeconds)),
                    Stats.seconds(Stats.min(run.caughtUpSeconds)),
                    Stats.seconds(Stats.max(run.caughtUpSeconds)),
                    Stats.ratio(Stats.median(run.caughtUpSeconds) / rocksCaughtUp),
                    Stats.mb(run.restoreRequests.bytesIn()),
                    run.restoreRequests.requests(RequestKind.GET),
                    String.format("%,d of %,d", run.verifiedPresent, options.keys));
            consistent &= run.verifiedPresent == options.keys && run.verifiedMissing == 0;
        }
        double ourRestore = Stats.median(ours.restoreSeconds);
        verdicts.add(
                target(
                        restore,
                        "ours restore (a) <= RocksDB incremental's",
                        Stats.seconds(ourRestore) + " vs " + Stats.seconds(rocksRestore),
                        ourRestore <= rocksRestore));
        double ourCaughtUp = Stats.median(ours.caughtUpSeconds);
        verdicts.add(
                target(
                        restore,
                        "ours restore (b) <= RocksDB incremental's",
                        Stats.seconds(ourCaughtUp) + " vs " + Stats.seconds(rocksCaughtUp),
                        ourCaughtUp <= rocksCaughtUp));
        restore.print(out);

        Table raw =
                new Table(
                        String.format(
                                "6. Raw parallel GET (%d threads) of the objects in the retained"
                                        + " checkpoint's directory and shared/: the physical floor"
                                        + " of a restore",
                                options.parallelism * 4),
                        "backend",
                        "objects",
                        "bytes",
                        "time",
                        "speed",
                        "raw GET of the restore's bytes",
                        "restore median / that");
        for (CheckpointRun run : runs.values()) {
            raw.row(
                    run.backend.label(),
                    run.rawObjects,
                    Stats.mb(run.rawBytes),
                    Stats.seconds(run.rawSeconds),
                    String.format("%.0f MB/s", run.rawBytes / 1e6 / run.rawSeconds),
                    Stats.seconds(scaled(run)),
                    Stats.ratio(Stats.median(run.restoreSeconds) / scaled(run)));
        }
        raw.print(out);

        Table physical =
                new Table(
                        "7. S3 server loopback speed, this run (one thread, our S3 client)",
                        "what",
                        "speed");
        physical.row(
                "64 MB PUT (multipart)", String.format("%.0f MB/s", loopback.largePutMbPerSecond));
        physical.row("64 MB GET", String.format("%.0f MB/s", loopback.largeGetMbPerSecond));
        physical.row(
                "64 MB in " + LoopbackSpeed.RANGES + " ranged GETs",
                String.format("%.0f MB/s", loopback.rangedGetMbPerSecond));
        physical.row("4 KB PUT", Stats.rate(loopback.smallPutsPerSecond));
        physical.row("4 KB GET", Stats.rate(loopback.smallGetsPerSecond));
        physical.print(out);

        if (options.compression) {
            compressionTable(
                            ours,
                            runs.get(Backend.INCREMENTAL_HEAP_COMPRESSED),
                            rocks.rawBytes,
                            runs.get(Backend.HASHMAP).rawBytes)
                    .print(out);
        }

        out.println();
        out.println("Targets of issue 3 (incremental heap backend):");
        verdicts.forEach(v -> out.println("  " + v));
        if (!consistent) {
            out.println("  ERROR: a restored job did not find every key; see table 5.");
        }
        return consistent;
    }

    /**
     * Ours without and with {@code execution.checkpointing.snapshot-compression}, on the same
     * updates: what each checkpoint uploads, what the job stores, and what a restore reads.
     */
    private Table compressionTable(
            CheckpointRun plain, CheckpointRun compressed, long rocksStored, long hashMapStored) {
        Table table =
                new Table(
                        String.format(
                                "8. Snapshot compression: ours without and with"
                                        + " execution.checkpointing.snapshot-compression (%s"
                                        + " values; stored = the objects of table 6: the retained"
                                        + " checkpoint's directory and shared/)",
                                options.values.name().toLowerCase(java.util.Locale.ROOT)),
                        "backend",
                        "initial upload",
                        "upload per checkpoint (median)",
                        "upload per checkpoint (mean)",
                        "uploaded in total",
                        "stored",
                        "restore (a) median",
                        "restore read");
        for (CheckpointRun run : List.of(plain, compressed)) {
            table.row(
                    run.backend.label(),
                    Stats.mb(run.initialRequests.bytesOut()),
                    Stats.mb(Stats.median(run.uploaded())),
                    Stats.mb(Stats.mean(run.uploaded())),
                    Stats.mb(uploadedInTotal(run)),
                    Stats.mb(run.rawBytes),
                    Stats.seconds(Stats.median(run.restoreSeconds)),
                    Stats.mb(run.restoreRequests.bytesIn()));
        }
        table.row(
                "with / without",
                Stats.ratio(
                        compressed.initialRequests.bytesOut()
                                / (double) plain.initialRequests.bytesOut()),
                Stats.ratio(Stats.median(compressed.uploaded()) / Stats.median(plain.uploaded())),
                Stats.ratio(Stats.mean(compressed.uploaded()) / Stats.mean(plain.uploaded())),
                Stats.ratio(uploadedInTotal(compressed) / (double) uploadedInTotal(plain)),
                Stats.ratio(compressed.rawBytes / (double) plain.rawBytes),
                Stats.ratio(
                        Stats.median(compressed.restoreSeconds)
                                / Stats.median(plain.restoreSeconds)),
                Stats.ratio(
                        compressed.restoreRequests.bytesIn()
                                / (double) plain.restoreRequests.bytesIn()));
        table.note(
                "for reference, stored: HashMap %s (uncompressed: snapshot compression is off for"
                        + " it), RocksDB incremental %s (its SST blocks are Snappy-compressed by"
                        + " RocksDB, Flink's default state.backend.rocksdb.compression.per.level)",
                Stats.mb(hashMapStored), Stats.mb(rocksStored));
        return table;
    }

    private static long uploadedInTotal(CheckpointRun run) {
        return run.initialRequests.bytesOut()
                + run.uploaded().stream().mapToLong(Long::longValue).sum();
    }

    /** The raw GET time of as many bytes as the first restore read, at the raw GET's speed. */
    private static double scaled(CheckpointRun run) {
        return run.rawSeconds * run.restoreRequests.bytesIn() / Math.max(1, run.rawBytes);
    }

    private double mean(CheckpointRun run, RequestKind kind) {
        return Stats.mean(run.requests.stream().map(r -> r.requests(kind)).toList());
    }

    private static String target(Table table, String what, String value, boolean met) {
        String line = String.format("%-50s %-22s %s", what + ":", value, Stats.verdict(met));
        table.note("target: %s", line);
        return line;
    }

    // ---------------------------------------------------------------- setup

    private void progress(String format, Object... args) {
        out.printf(
                "[%6.1f s] %s%n",
                (System.nanoTime() - startNanos) / 1e9, String.format(format, args));
    }
}
