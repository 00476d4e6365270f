package io.flinkrecovery.benchmarks;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.SerializationFeature;

import io.flinkrecovery.objectstore.RequestCounters;
import io.flinkrecovery.objectstore.RequestKind;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every figure of a {@link BackendComparison} run as JSON, for programs that compare runs: the
 * options, the machine, per backend each checkpoint's requests and timings, each throughput round
 * and each restore, and the ratios the text tables print. Bytes are bytes, times carry their unit
 * in their name; a figure that could not be computed is {@code null}.
 */
final class ComparisonJson {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ComparisonJson() {}

    static void write(ComparisonResults results, Path file) throws IOException {
        JSON.writeValue(file.toFile(), toMap(results));
    }

    static Map<String, Object> toMap(ComparisonResults results) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("benchmark", "backend-comparison");
        map.put("environment", results.environment().toMap());
        map.put("options", options(results.options()));
        map.put("wallSeconds", number(results.wallSeconds()));
        map.put("changedBytesPerCheckpoint", number(results.changedBytesPerCheckpoint()));
        List<Map<String, Object>> backends = new ArrayList<>();
        for (CheckpointRun run : results.runs().values()) {
            backends.add(backend(results, run));
        }
        map.put("backends", backends);
        map.put("loopback", loopback(results.loopback()));
        List<Map<String, Object>> targets = new ArrayList<>();
        for (Target target : results.targets()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("target", target.what());
            row.put("value", target.value());
            row.put("met", target.met());
            targets.add(row);
        }
        map.put("targets", targets);
        map.put("allKeysRestored", results.allKeysRestored());
        return map;
    }

    private static Map<String, Object> options(BenchmarkOptions options) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("keys", options.keys);
        map.put("mapEntries", options.mapEntries);
        map.put("valueSize", options.valueSize);
        map.put("checkpoints", options.checkpoints);
        map.put("withoutForst", options.withoutForst);
        map.put("updateFraction", options.updateFraction);
        map.put("parallelism", options.parallelism);
        map.put("throughputUpdates", options.throughputUpdates);
        map.put("throughputRounds", options.throughputRounds);
        map.put("restores", options.restores);
        map.put("restoreRecords", options.restoreRecords);
        map.put("s3LatencyMillis", options.s3LatencyMillis);
        map.put("jobSettings", options.jobSettings);
        return map;
    }

    private static Map<String, Object> backend(ComparisonResults results, CheckpointRun run) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("id", run.backend.id());
        map.put("label", run.backend.label());

        List<Double> rates = results.throughput().getOrDefault(run.backend, List.of());
        Map<String, Object> throughput = new LinkedHashMap<>();
        throughput.put("updatesPerSecondPerRound", rates);
        throughput.put("medianUpdatesPerSecond", number(Stats.median(rates)));
        map.put("throughput", throughput);

        Map<String, Object> initial = new LinkedHashMap<>();
        initial.put("id", run.initialId);
        initial.put("requests", requests(run.initialRequests));
        CheckpointTimes initialTimes = run.times.get(run.initialId);
        initial.put("times", initialTimes == null ? null : times(initialTimes));
        map.put("initialCheckpoint", initial);

        List<Map<String, Object>> checkpoints = new ArrayList<>();
        for (int i = 0; i < run.ids.size(); i++) {
            Map<String, Object> checkpoint = new LinkedHashMap<>();
            checkpoint.put("id", run.ids.get(i));
            checkpoint.put("changedBytes", run.changedBytes.get(i));
            checkpoint.put("requests", requests(run.requests.get(i)));
            checkpoint.put(
                    "requestsWhileUpdating",
                    i < run.requestsWhileUpdating.size()
                            ? requests(run.requestsWhileUpdating.get(i))
                            : null);
            checkpoint.put("writes", run.writes().get(i));
            CheckpointTimes times = run.times.get(run.ids.get(i));
            checkpoint.put("times", times == null ? null : times(times));
            checkpoints.add(checkpoint);
        }
        map.put("checkpoints", checkpoints);

        Map<String, Object> restore = new LinkedHashMap<>();
        restore.put("freshSubmitSeconds", number(run.startSeconds));
        restore.put("runningSeconds", run.restoreSeconds);
        restore.put("caughtUpSeconds", run.caughtUpSeconds);
        restore.put("firstRestoreRequests", requests(run.restoreRequests));
        restore.put("keysFound", run.verifiedPresent);
        restore.put("keysMissing", run.verifiedMissing);
        restore.put("peakHeapBytes", run.restorePeakHeapBytes);
        map.put("restore", restore);

        Map<String, Object> rescale = new LinkedHashMap<>();
        rescale.put("parallelism", BackendComparison.RESCALED_PARALLELISM);
        rescale.put("stateBytes", run.stateBytes);
        rescale.put("runningSeconds", number(run.rescaleSeconds));
        rescale.put("requests", run.rescaleRequests == null ? null : requests(run.rescaleRequests));
        rescale.put("plannedLargestSubtaskBytes", run.rescalePlannedMaxBytes);
        rescale.put("largestOverShare", number(run.rescalePlannedMaxBytes / run.rescaleShare()));
        map.put("rescale", rescale);

        Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("objects", run.rawObjects);
        raw.put("bytes", run.rawBytes);
        raw.put("seconds", number(run.rawSeconds));
        map.put("rawGet", raw);

        map.put("summary", summary(results, run));
        return map;
    }

    /** The medians and ratios of the text tables. */
    private static Map<String, Object> summary(ComparisonResults results, CheckpointRun run) {
        double changed = results.changedBytesPerCheckpoint();
        CheckpointRun rocks = results.runs().get(Backend.ROCKSDB_INCREMENTAL);
        List<Double> hashMapRates = results.throughput().get(Backend.HASHMAP);
        List<Long> uploaded = run.uploaded();
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("uploadedBytesMedian", number(Stats.median(uploaded)));
        map.put("uploadedBytesMean", number(Stats.mean(uploaded)));
        map.put("uploadedBytesMax", number(Stats.max(uploaded)));
        map.put("uploadMedianOverChanged", number(Stats.median(uploaded) / changed));
        map.put("uploadMeanOverChanged", number(Stats.mean(uploaded) / changed));
        map.put("uploadMaxOverChanged", number(Stats.max(uploaded) / changed));
        map.put(
                "writesPerSubtaskMax",
                number(Stats.max(run.writesPerSubtask(results.options().parallelism))));
        map.put(
                "throughputMedianOverHashMap",
                hashMapRates == null
                        ? null
                        : number(
                                Stats.median(
                                                results.throughput()
                                                        .getOrDefault(run.backend, List.of()))
                                        / Stats.median(hashMapRates)));
        map.put("checkpointMedianMillis", number(Stats.median(run.endToEndMillis())));
        map.put("restoreRunningMedianSeconds", number(Stats.median(run.restoreSeconds)));
        map.put("restoreCaughtUpMedianSeconds", number(Stats.median(run.caughtUpSeconds)));
        if (rocks != null) {
            map.put(
                    "checkpointMedianOverRocksDb",
                    number(
                            Stats.median(run.endToEndMillis())
                                    / Stats.median(rocks.endToEndMillis())));
            map.put(
                    "restoreRunningMedianOverRocksDb",
                    number(Stats.median(run.restoreSeconds) / Stats.median(rocks.restoreSeconds)));
            map.put(
                    "restoreCaughtUpMedianOverRocksDb",
                    number(
                            Stats.median(run.caughtUpSeconds)
                                    / Stats.median(rocks.caughtUpSeconds)));
        }
        map.put(
                "restoreRunningMedianOverRawGet",
                number(Stats.median(run.restoreSeconds) / run.rawSecondsOfRestoreBytes()));
        return map;
    }

    private static Map<String, Object> times(CheckpointTimes times) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("endToEndMillis", times.endToEndMillis());
        map.put("slowestSyncMillis", times.syncMillis());
        map.put("slowestAsyncMillis", times.asyncMillis());
        map.put("checkpointedSizeBytes", times.checkpointedSize());
        return map;
    }

    private static Map<String, Object> requests(RequestCounters.Snapshot requests) {
        if (requests == null) {
            return null;
        }
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("bytesOut", requests.bytesOut());
        map.put("bytesIn", requests.bytesIn());
        for (RequestKind kind : RequestKind.values()) {
            map.put(kind.name(), requests.requests(kind));
        }
        map.put("throttled", requests.throttled());
        return map;
    }

    private static Map<String, Object> loopback(LoopbackSpeed loopback) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("largePutMBPerSecond", number(loopback.largePutMbPerSecond));
        map.put("largeGetMBPerSecond", number(loopback.largeGetMbPerSecond));
        map.put("rangedGetMBPerSecond", number(loopback.rangedGetMbPerSecond));
        map.put("smallPutsPerSecond", number(loopback.smallPutsPerSecond));
        map.put("smallGetsPerSecond", number(loopback.smallGetsPerSecond));
        return map;
    }

    /** JSON has no NaN or infinity: a ratio over nothing is {@code null}. */
    private static Double number(double value) {
        return Double.isFinite(value) ? value : null;
    }
}
