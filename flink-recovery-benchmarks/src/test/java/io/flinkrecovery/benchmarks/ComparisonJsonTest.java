package io.flinkrecovery.benchmarks;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

import io.flinkrecovery.objectstore.RequestKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The JSON file parses back to the figures the run held in memory, backend by backend. */
class ComparisonJsonTest {

    @TempDir Path dir;

    @Test
    void everyFigureParsesBackToWhatTheRunMeasured() throws Exception {
        ComparisonResults results = ComparisonResultsFixture.results();
        Path file = dir.resolve("run.json");
        ComparisonJson.write(results, file);

        // A plain mapper: strict JSON, no NaN or other leniency.
        JsonNode json = new ObjectMapper().readTree(file.toFile());

        assertThat(json.path("options").path("keys").asLong()).isEqualTo(5000);
        assertThat(json.path("options").path("checkpoints").asInt())
                .isEqualTo(ComparisonResultsFixture.CHECKPOINTS);
        assertThat(
                        json.path("options")
                                .path("jobSettings")
                                .path("recovery.backend.compaction.max-deltas")
                                .asText())
                .isEqualTo("64");
        assertThat(json.path("wallSeconds").asDouble()).isEqualTo(123.4);
        assertThat(json.path("changedBytesPerCheckpoint").asDouble())
                .isEqualTo(results.changedBytesPerCheckpoint());
        assertThat(json.path("loopback").path("rangedGetMBPerSecond").asDouble()).isEqualTo(278);

        JsonNode environment = json.path("environment");
        assertThat(environment.path("availableProcessors").asInt())
                .isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(environment.path("flink").asText()).isEqualTo("2.3.0");
        assertThat(environment.path("java").asText()).isEqualTo(System.getProperty("java.version"));
        assertThat(doubles(environment.path("loadAverageAtStart")))
                .isEqualTo(results.environment().loadAtStart);
        assertThat(doubles(environment.path("loadAverageAtEnd")))
                .isEqualTo(results.environment().loadAtEnd);
        assertThat(
                        environment.path("gitCommit").isNull()
                                ? null
                                : environment.path("gitCommit").asText())
                .isEqualTo(results.environment().git.commit);

        JsonNode backends = json.path("backends");
        assertThat(backends).hasSize(Backend.values().length);
        int index = 0;
        for (CheckpointRun run : results.runs().values()) {
            JsonNode backend = backends.get(index++);
            assertThat(backend.path("id").asText()).isEqualTo(run.backend.id());
            assertThat(backend.path("label").asText()).isEqualTo(run.backend.label());
            assertThat(doubles(backend.path("throughput").path("updatesPerSecondPerRound")))
                    .isEqualTo(results.throughput().get(run.backend));

            JsonNode initial = backend.path("initialCheckpoint");
            assertThat(initial.path("requests").path("bytesOut").asLong())
                    .isEqualTo(run.initialRequests.bytesOut());
            assertThat(initial.path("times").path("endToEndMillis").asLong())
                    .isEqualTo(run.times.get(run.initialId).endToEndMillis());

            JsonNode checkpoints = backend.path("checkpoints");
            assertThat(checkpoints).hasSize(ComparisonResultsFixture.CHECKPOINTS);
            for (int i = 0; i < checkpoints.size(); i++) {
                JsonNode checkpoint = checkpoints.get(i);
                long id = run.ids.get(i);
                assertThat(checkpoint.path("id").asLong()).isEqualTo(id);
                assertThat(checkpoint.path("changedBytes").asLong())
                        .isEqualTo(run.changedBytes.get(i));
                assertThat(checkpoint.path("requests").path("bytesOut").asLong())
                        .isEqualTo(run.uploaded().get(i));
                assertThat(checkpoint.path("requests").path("PUT").asLong())
                        .isEqualTo(run.requests.get(i).requests(RequestKind.PUT));
                assertThat(checkpoint.path("writes").asDouble()).isEqualTo(run.writes().get(i));
                assertThat(checkpoint.path("requestsWhileUpdating").path("bytesOut").asLong())
                        .isEqualTo(run.uploadedWhileUpdating().get(i));
                JsonNode times = checkpoint.path("times");
                CheckpointTimes expected = run.times.get(id);
                assertThat(times.path("endToEndMillis").asLong())
                        .isEqualTo(expected.endToEndMillis());
                assertThat(times.path("slowestSyncMillis").asLong())
                        .isEqualTo(expected.syncMillis());
                assertThat(times.path("slowestAsyncMillis").asLong())
                        .isEqualTo(expected.asyncMillis());
                assertThat(times.path("checkpointedSizeBytes").asLong())
                        .isEqualTo(expected.checkpointedSize());
            }

            JsonNode restore = backend.path("restore");
            assertThat(restore.path("freshSubmitSeconds").asDouble()).isEqualTo(run.startSeconds);
            assertThat(doubles(restore.path("runningSeconds"))).isEqualTo(run.restoreSeconds);
            assertThat(doubles(restore.path("caughtUpSeconds"))).isEqualTo(run.caughtUpSeconds);
            assertThat(restore.path("firstRestoreRequests").path("bytesIn").asLong())
                    .isEqualTo(run.restoreRequests.bytesIn());
            assertThat(restore.path("keysFound").asLong()).isEqualTo(run.verifiedPresent);
            assertThat(restore.path("peakHeapBytes").asLong()).isEqualTo(run.restorePeakHeapBytes);
            JsonNode rescale = backend.path("rescale");
            assertThat(rescale.path("parallelism").asInt())
                    .isEqualTo(BackendComparison.RESCALED_PARALLELISM);
            assertThat(rescale.path("stateBytes").asLong()).isEqualTo(run.stateBytes);
            assertThat(rescale.path("requests").path("bytesIn").asLong())
                    .isEqualTo(run.rescaleRequests.bytesIn());
            assertThat(rescale.path("plannedLargestSubtaskBytes").asLong())
                    .isEqualTo(run.rescalePlannedMaxBytes);
            assertThat(rescale.path("largestOverShare").asDouble())
                    .isCloseTo(run.rescalePlannedMaxBytes / run.rescaleShare(), within(1e-9));
            assertThat(backend.path("rawGet").path("bytes").asLong()).isEqualTo(run.rawBytes);

            JsonNode summary = backend.path("summary");
            double changed = results.changedBytesPerCheckpoint();
            assertThat(summary.path("uploadMedianOverChanged").asDouble())
                    .isCloseTo(Stats.median(run.uploaded()) / changed, within(1e-9));
            assertThat(summary.path("throughputMedianOverHashMap").asDouble())
                    .isCloseTo(
                            Stats.median(results.throughput().get(run.backend))
                                    / Stats.median(results.throughput().get(Backend.HASHMAP)),
                            within(1e-9));
            assertThat(summary.path("restoreRunningMedianOverRocksDb").asDouble())
                    .isCloseTo(
                            Stats.median(run.restoreSeconds)
                                    / Stats.median(
                                            results.runs()
                                                    .get(Backend.ROCKSDB_INCREMENTAL)
                                                    .restoreSeconds),
                            within(1e-9));
        }

        JsonNode targets = json.path("targets");
        assertThat(targets).hasSize(results.targets().size());
        assertThat(targets.get(1).path("target").asText())
                .isEqualTo("ours restore (a) <= RocksDB incremental's");
        assertThat(targets.get(1).path("met").asBoolean()).isFalse();
        assertThat(json.path("allKeysRestored").asBoolean()).isTrue();
    }

    @Test
    void aFigureThatCouldNotBeComputedIsNullNotNaN() throws Exception {
        ComparisonResults results = ComparisonResultsFixture.results();
        CheckpointRun hashMap = results.runs().get(Backend.HASHMAP);
        hashMap.restoreSeconds.clear();
        hashMap.verifiedMissing = 1;
        Path file = dir.resolve("run.json");
        ComparisonJson.write(results, file);

        JsonNode json = new ObjectMapper().readTree(file.toFile());
        JsonNode summary = json.path("backends").get(Backend.HASHMAP.ordinal()).path("summary");
        assertThat(summary.has("restoreRunningMedianSeconds")).isTrue();
        assertThat(summary.path("restoreRunningMedianSeconds").isNull()).isTrue();
        assertThat(summary.path("restoreRunningMedianOverRocksDb").isNull()).isTrue();
        assertThat(json.path("allKeysRestored").asBoolean()).isFalse();
    }

    private static List<Double> doubles(JsonNode array) {
        assertThat(array.isArray()).as("%s is an array", array).isTrue();
        List<Double> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asDouble()));
        return values;
    }
}
