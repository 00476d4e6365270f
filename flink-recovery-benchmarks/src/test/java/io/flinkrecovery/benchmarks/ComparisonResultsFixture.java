package io.flinkrecovery.benchmarks;

import io.flinkrecovery.objectstore.RequestCounters;
import io.flinkrecovery.objectstore.RequestKind;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Results of a made-up comparison run with a distinct figure in every place, so that a file that
 * mixes up backends, checkpoints or measures fails the comparison with the in-memory results.
 */
final class ComparisonResultsFixture {

    static final int CHECKPOINTS = 4;
    static final int RESTORES = 3;

    private ComparisonResultsFixture() {}

    static ComparisonResults results() {
        BenchmarkOptions options =
                BenchmarkOptions.parse(
                        new String[] {
                            "--keys",
                            "5000",
                            "--checkpoints",
                            String.valueOf(CHECKPOINTS),
                            "--restores",
                            String.valueOf(RESTORES),
                            "--set",
                            "recovery.backend.compaction.max-deltas=64"
                        });
        RunEnvironment environment = new RunEnvironment();
        environment.finish();
        Map<Backend, List<Double>> throughput = new EnumMap<>(Backend.class);
        Map<Backend, CheckpointRun> runs = new EnumMap<>(Backend.class);
        for (Backend backend : Backend.values()) {
            int b = backend.ordinal() + 1;
            throughput.put(backend, List.of(100_000.0 * b, 110_000.0 * b, 90_000.0 * b));
            CheckpointRun run = new CheckpointRun(backend);
            run.startSeconds = 0.1 * b;
            run.initialId = 1;
            run.initialRequests = requests(2_000_000L * b, 0, 2 * b);
            run.times.put(1L, new CheckpointTimes(200 + b, 10 + b, 150 + b, 1_900_000L * b));
            for (int i = 0; i < CHECKPOINTS; i++) {
                long id = i + 2;
                run.ids.add(id);
                run.changedBytes.add(10_800L + i);
                // Spans several powers of ten, as HashMap's full uploads do next to deltas.
                run.requests.add(requests(12_000L * (i + 1) * (long) Math.pow(10, b - 1), 0, b));
                run.requestsWhileUpdating.add(requests(300L * b + i, 0, i));
                run.times.put(id, new CheckpointTimes(50L * b + i, 2L * b + i, 40L * b + i, 9_000));
            }
            for (int i = 0; i < RESTORES; i++) {
                run.restoreSeconds.add(0.4 * b + 0.01 * i);
                run.caughtUpSeconds.add(0.5 * b + 0.02 * i);
            }
            run.restoreRequests = requests(0, 2_100_000L * b, 3 * b);
            run.restorePeakHeapBytes = 90_000_000L * b;
            run.stateBytes = 2_000_000L * b;
            run.rescaleSeconds = 0.6 * b;
            run.rescaleRequests = requests(0, 2_400_000L * b, 5 * b);
            run.rescalePlannedMaxBytes = 520_000L * b;
            run.verifiedPresent = options.keys;
            run.rawObjects = 3 * b;
            run.rawBytes = 2_200_000L * b;
            run.rawSeconds = 0.02 * b;
            runs.put(backend, run);
        }
        LoopbackSpeed loopback = new LoopbackSpeed();
        loopback.largePutMbPerSecond = 52;
        loopback.largeGetMbPerSecond = 412;
        loopback.rangedGetMbPerSecond = 278;
        loopback.smallPutsPerSecond = 103;
        loopback.smallGetsPerSecond = 282;
        List<Target> targets = new ArrayList<>();
        targets.add(new Target("ours median upload <= 1.5x changed", "1.11x", true));
        targets.add(
                new Target("ours restore (a) <= RocksDB incremental's", "0.45 s vs 0.33 s", false));
        return new ComparisonResults(
                options, environment, 123.4, throughput, runs, loopback, targets);
    }

    /** Counters that sent {@code bytesOut}, received {@code bytesIn}, in {@code puts} PUTs. */
    private static RequestCounters.Snapshot requests(long bytesOut, long bytesIn, int puts) {
        RequestCounters counters = new RequestCounters();
        counters.countBytesOut(bytesOut);
        counters.countBytesIn(bytesIn);
        for (int i = 0; i < puts; i++) {
            counters.countRequest(RequestKind.PUT);
            counters.countRequest(RequestKind.GET);
        }
        counters.countRequest(RequestKind.MULTIPART_CONTROL);
        counters.countRequest(RequestKind.MULTIPART_CONTROL);
        return counters.snapshot();
    }
}
