package io.flinkrecovery.benchmarks;

import io.flinkrecovery.objectstore.RequestKind;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The text report of a {@link BackendComparison} run: one table per measure, absolute values and
 * ratios side by side, and issue 3's targets for our backend with their verdicts.
 */
final class ComparisonReport {

    private final BenchmarkOptions options;
    private final PrintStream out;

    ComparisonReport(BenchmarkOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** Prints the tables and returns the targets with their verdicts. */
    List<Target> print(
            Map<Backend, List<Double>> throughput,
            Map<Backend, CheckpointRun> runs,
            LoopbackSpeed loopback,
            double wallSeconds) {
        CheckpointRun ours = runs.get(Backend.INCREMENTAL_HEAP);
        CheckpointRun rocks = runs.get(Backend.ROCKSDB_INCREMENTAL);
        double changed = Stats.median(ours.changedBytes);
        Workload workload = options.workload();
        long updatesPerCheckpoint = Math.round(changed / workload.changedBytesPerUpdate());
        List<Target> verdicts = new ArrayList<>();

        out.println();
        out.printf(
                "==== Results (MB = 10^6 bytes; ratios are from this run; wall time %.0f s) ====%n",
                wallSeconds);

        Table upload =
                new Table(
                        String.format(
                                "1. Bytes uploaded per checkpoint (S3 bytes sent, incl. _metadata),"
                                        + " %d checkpoints after the initial one; changed per"
                                        + " checkpoint: %,d %s x %d B (%s) = %s",
                                options.checkpoints,
                                updatesPerCheckpoint,
                                workload.isMapState()
                                        ? "user entries of " + workload.mapEntries + "-entry maps"
                                        : "keys",
                                workload.changedBytesPerUpdate(),
                                workload.isMapState()
                                        ? "8 B key, 4 B user key, " + options.valueSize + " B value"
                                        : "8 B key, " + options.valueSize + " B value",
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
                        "Flink checkpointed size (median)",
                        "sent between checkpoints (mean)");
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
                    Stats.mb(Stats.median(run.checkpointedSizes())),
                    Stats.mb(Stats.mean(run.uploadedWhileUpdating())));
        }
        upload.note(
                "sent between checkpoints: while the keys were updated, before the checkpoint;"
                        + " not in the other columns (ForSt with its files on s3:// writes there)");
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
                    String.format("%.1f", run.meanRequests(RequestKind.PUT)),
                    String.format("%.1f", run.meanRequests(RequestKind.MULTIPART_CONTROL) / 2),
                    String.format("%.1f", run.meanRequests(RequestKind.MULTIPART_PART)),
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
                                        + " chained to a keyed %s writer; %d"
                                        + " interleaved rounds of %,d updates)",
                                workload.isMapState()
                                        ? "MapState<Integer, byte[]>"
                                        : "ValueState<byte[]>",
                                options.throughputRounds,
                                options.throughputUpdates),
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
            CheckpointTimes initial = run.times.get(run.initialId);
            duration.row(
                    run.backend.label(),
                    initial == null ? "n/a" : Stats.millis(initial.endToEndMillis()),
                    Stats.millis(Stats.median(run.endToEndMillis())),
                    Stats.millis(Stats.mean(run.endToEndMillis())),
                    Stats.millis(Stats.max(run.endToEndMillis())),
                    Stats.millis(Stats.median(run.syncMillis())),
                    Stats.millis(Stats.median(run.asyncMillis())),
                    Stats.ratio(Stats.median(run.endToEndMillis()) / rocksDuration));
        }
        double ourDuration = Stats.median(ours.endToEndMillis());
        verdicts.add(
                target(
                        duration,
                        "ours median <= RocksDB incremental's median",
                        Stats.millis(ourDuration) + " vs " + Stats.millis(rocksDuration),
                        ourDuration <= rocksDuration));
        double ourSync = Stats.median(ours.syncMillis());
        double hashMapSync = Stats.median(runs.get(Backend.HASHMAP).syncMillis());
        // Flink reports whole milliseconds: 0 ms means under 1.
        verdicts.add(
                target(
                        duration,
                        "ours sync phase (median) <= 2x HashMap's (at least 1 ms)",
                        Stats.millis(ourSync) + " vs " + Stats.millis(hashMapSync),
                        ourSync <= Math.max(2 * hashMapSync, 1)));
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
                        workload.isMapState() ? "user entries found" : "keys found");
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
                    String.format("%,d of %,d", run.verifiedPresent, workload.slots()));
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
                    Stats.seconds(run.rawSecondsOfRestoreBytes()),
                    Stats.ratio(Stats.median(run.restoreSeconds) / run.rawSecondsOfRestoreBytes()));
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

        Table rescale =
                new Table(
                        String.format(
                                "8. Restore's peak heap (submit -> (b), the first restore), and the retained checkpoint restored at"
                                        + " parallelism %d (a share = the state's bytes / %d;"
                                        + " planned = the inspector's plan of the largest subtask)",
                                BackendComparison.RESCALED_PARALLELISM,
                                BackendComparison.RESCALED_PARALLELISM),
                        "backend",
                        "peak heap, restore to (b)",
                        "state",
                        "rescaled: running",
                        "read by (b)",
                        "GETs",
                        "planned largest subtask",
                        "share",
                        "largest / share");
        for (CheckpointRun run : runs.values()) {
            rescale.row(
                    run.backend.label(),
                    Stats.mb(run.restorePeakHeapBytes),
                    Stats.mb(run.stateBytes),
                    Stats.seconds(run.rescaleSeconds),
                    Stats.mb(run.rescaleRequests.bytesIn()),
                    run.rescaleRequests.requests(RequestKind.GET),
                    Stats.mb(run.rescalePlannedMaxBytes),
                    Stats.mb(run.rescaleShare()),
                    Stats.ratio(run.rescalePlannedMaxBytes / run.rescaleShare()));
        }
        double rescaleRatio = ours.rescalePlannedMaxBytes / ours.rescaleShare();
        verdicts.add(
                target(
                        rescale,
                        "ours rescale 2->4: largest subtask <= 1.1x its share",
                        Stats.ratio(rescaleRatio),
                        rescaleRatio <= 1.1));
        rescale.print(out);

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
        verdicts.forEach(v -> out.println("  " + v.line()));
        return verdicts;
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
                                "9. Snapshot compression: ours without and with"
                                        + " execution.checkpointing.snapshot-compression (%s"
                                        + " values; stored = the objects of table 6: the retained"
                                        + " checkpoint's directory and shared/)",
                                options.values.name().toLowerCase(Locale.ROOT)),
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

    private static Target target(Table table, String what, String value, boolean met) {
        Target target = new Target(what, value, met);
        table.note("target: %s", target.line());
        return target;
    }
}
