package io.flinkrecovery.benchmarks;

import java.util.List;
import java.util.Map;

/**
 * Everything one {@link BackendComparison} run measured, with the options and the machine it ran
 * with: what the text tables, the JSON file and the chart are made from.
 */
record ComparisonResults(
        BenchmarkOptions options,
        RunEnvironment environment,
        double wallSeconds,
        Map<Backend, List<Double>> throughput,
        Map<Backend, CheckpointRun> runs,
        LoopbackSpeed loopback,
        List<Target> targets) {

    /** The bytes of the keys changed between two checkpoints (the median over the checkpoints). */
    double changedBytesPerCheckpoint() {
        return Stats.median(runs.get(Backend.INCREMENTAL_HEAP).changedBytes);
    }

    /** Whether every restored job found every key. */
    boolean allKeysRestored() {
        return runs.values().stream()
                .allMatch(
                        r ->
                                r.verifiedPresent == options.workload().slots()
                                        && r.verifiedMissing == 0);
    }
}
