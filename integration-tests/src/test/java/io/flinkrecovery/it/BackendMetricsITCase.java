package io.flinkrecovery.it;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.jobgraph.JobVertexID;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.rest.messages.job.JobDetailsInfo;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

import io.flinkrecovery.examples.totals.RunningTotalsJob;
import io.flinkrecovery.it.cluster.RestApi;
import io.flinkrecovery.objectstore.RequestKind;
import io.flinkrecovery.testing.EmbeddedS3Extension;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Our backend's metrics, read through the REST API as Flink's web UI reads them, say what the
 * inspector reads from the same checkpoint: per subtask the bytes uploaded and reused, the chains'
 * bytes and depths, the manifest; after a restore, what the restore plan says it reads. The S3
 * request counters are there, by kind.
 */
class BackendMetricsITCase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OPERATOR = "running-totals";
    private static final int PARALLELISM = 2;

    @RegisterExtension
    @Order(1)
    static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("it-metrics");

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    () ->
                            TestClusters.miniCluster(
                                    S3,
                                    PARALLELISM,
                                    // How often the REST API refreshes metrics (default 10 s).
                                    Map.of("metrics.fetcher.update-interval", "200ms")));

    @Test
    void restShowsWhatTheInspectorReadsFromTheSameCheckpoint(@InjectMiniCluster MiniCluster flink)
            throws Exception {
        RestApi rest = new RestApi(flink.getRestAddress().get().getPort());
        Configuration config = TestClusters.s3Storage(S3, "metrics");
        TestClusters.useBackend(config, "incremental-heap");
        // Checkpoints only when the test triggers them, so it knows which one is the newest.
        config.setString("execution.checkpointing.interval", "1h");
        // Rewrites that spend a budget of 1% of the state per checkpoint: whichever checkpoint
        // is the newest, its chains have deltas.
        config.setString("recovery.backend.compaction.max-space-amplification", "100");
        RunningTotalsJob job =
                RunningTotalsJob.builder("metrics")
                        .events(Long.MAX_VALUE)
                        .keys(3_000)
                        .eventsPerSecond(3_000)
                        .noFailure()
                        .build();

        JobID first = JobRuns.start(config, job, PARALLELISM);
        String pointer = triggerCheckpoints(flink, first, 5);
        long checkpointId = Long.parseLong(pointer.substring(pointer.lastIndexOf("chk-") + 4));
        JobVertexID vertex = vertexOf(rest, first);
        List<Map<String, String>> checkpointed = new ArrayList<>();
        for (int subtask = 0; subtask < PARALLELISM; subtask++) {
            checkpointed.add(
                    awaitMetrics(rest, first, vertex, subtask, "checkpoint", checkpointId));
        }
        flink.cancelJob(first).get();
        JobRuns.awaitStatus(flink, first, JobStatus.CANCELED);

        String jobDir = TestClusters.checkpointDir(S3, "metrics") + "/" + first;
        InspectorRuns.Result run = InspectorRuns.run(S3, "report", jobDir, "--json");
        assertThat(run.code).as(run.err).isZero();
        JsonNode report = JSON.readTree(run.out);
        JsonNode newest = report.get("checkpoints").get(report.get("checkpoints").size() - 1);
        assertThat(newest.get("id").asLong()).isEqualTo(checkpointId);
        JsonNode plan = report.get("restorePlans").get(0);
        assertThat(plan.get("parallelism").asInt()).isEqualTo(PARALLELISM);

        long reused = 0;
        for (int subtask = 0; subtask < PARALLELISM; subtask++) {
            Map<String, String> metrics = checkpointed.get(subtask);
            JsonNode keyGroups = subtaskEntry(report.get("keyGroups"), subtask);
            JsonNode planned = subtaskEntry(plan.get("subtasks"), subtask);
            String of = "subtask " + subtask + " of chk-" + checkpointId;

            assertThat(value(metrics, "uploadedBytes"))
                    .as(of)
                    .isEqualTo(keyGroups.get("newBytes").asLong())
                    .isEqualTo(value(metrics, "segmentBytes") + value(metrics, "manifestBytes"));
            assertThat(value(metrics, "reusedBytes"))
                    .as(of)
                    .isEqualTo(keyGroups.get("reusedBytes").asLong());
            reused += value(metrics, "reusedBytes");

            long chainBytes = 0;
            int withState = 0;
            int blocks = 0;
            int deepest = 0;
            for (int i = 0; i < keyGroups.get("bytes").size(); i++) {
                chainBytes += keyGroups.get("bytes").get(i).asLong();
                int depth = keyGroups.get("chainDepths").get(i).asInt();
                withState += depth > 0 ? 1 : 0;
                blocks += depth;
                deepest = Math.max(deepest, depth);
            }
            assertThat(value(metrics, "chainBytes")).as(of).isEqualTo(chainBytes);
            assertThat(value(metrics, "keyGroups")).as(of).isEqualTo(withState);
            assertThat(value(metrics, "chainDepthMax"))
                    .as(of)
                    .isEqualTo(deepest)
                    .isEqualTo(planned.get("maxChainDepth").asLong());
            assertThat(Double.parseDouble(metrics.get("chainDepthMean")))
                    .as(of)
                    .isEqualTo(blocks / (double) withState);
            // A restore at the same parallelism reads the manifest and the chains.
            assertThat(planned.get("bytes").asLong())
                    .as(of)
                    .isEqualTo(value(metrics, "manifestBytes") + chainBytes);
            assertThat(value(metrics, "compactedBytes"))
                    .as(of)
                    .isBetween(0L, value(metrics, "segmentBytes"));
            assertThat(deepest).as("deltas were written: %s", metrics).isGreaterThan(1);
        }
        assertThat(reused).isEqualTo(newest.get("reusedBytes").asLong()).isPositive();

        // Restored from that checkpoint, each subtask reports what the plan says it reads.
        Configuration restore = new Configuration(config);
        restore.setString("execution.state-recovery.path", pointer);
        JobID second = JobRuns.start(restore, job, PARALLELISM);
        JobVertexID restoredVertex = vertexOf(rest, second);
        for (int subtask = 0; subtask < PARALLELISM; subtask++) {
            Map<String, String> metrics =
                    awaitMetrics(rest, second, restoredVertex, subtask, "restore", checkpointId);
            JsonNode planned = subtaskEntry(plan.get("subtasks"), subtask);
            String of = "restore of subtask " + subtask;
            assertThat(value(metrics, "blockBytes"))
                    .as(of)
                    .isEqualTo(value(checkpointed.get(subtask), "chainBytes"));
            assertThat(value(metrics, "fromLocalCopy")).as(of).isZero();
            assertThat(value(metrics, "readBytes"))
                    .as(of + ": the plan's bytes, and blocks superseded in between")
                    .isGreaterThanOrEqualTo(planned.get("bytes").asLong());
            assertThat(value(metrics, "durationMs")).as(of).isPositive();
        }

        // The request counters, by kind: the process's, which the restores used.
        Map<String, String> requests =
                rest.subtaskMetrics(
                        second,
                        restoredVertex,
                        0,
                        metricId(rest, second, restoredVertex, "s3.requests.get"),
                        metricId(rest, second, restoredVertex, "s3.retried"),
                        metricId(rest, second, restoredVertex, "s3.throttled"));
        long gets = Long.parseLong(requests.values().iterator().next());
        assertThat(gets)
                .isPositive()
                .isLessThanOrEqualTo(HeapRuns.store(config).counters().requests(RequestKind.GET));
        assertThat(requests.values()).allMatch(v -> Long.parseLong(v) >= 0);
        flink.cancelJob(second).get();
        JobRuns.awaitStatus(flink, second, JobStatus.CANCELED);
    }

    /** Triggers {@code count} checkpoints a moment apart; the pointer of the last. */
    private static String triggerCheckpoints(MiniCluster flink, JobID job, int count)
            throws Exception {
        String pointer = null;
        for (int i = 0; i < count; i++) {
            Thread.sleep(400); // changes between checkpoints
            pointer =
                    await().alias("checkpoint " + (i + 1) + " of " + job)
                            .atMost(TestClusters.TIMEOUT)
                            .ignoreExceptions()
                            .until(
                                    () -> flink.triggerCheckpoint(job).get(30, TimeUnit.SECONDS),
                                    p -> p != null);
        }
        return pointer;
    }

    private static JobVertexID vertexOf(RestApi rest, JobID job) {
        return await().alias("the vertex of " + OPERATOR)
                .atMost(TestClusters.TIMEOUT)
                .ignoreExceptions()
                .until(
                        () -> {
                            for (JobDetailsInfo.JobVertexDetailsInfo v :
                                    rest.job(job).getJobVertexInfos()) {
                                if (v.getName().contains(OPERATOR)) {
                                    return v.getJobVertexID();
                                }
                            }
                            return null;
                        },
                        v -> v != null);
    }

    /** The full id of our metric ending in {@code suffix}, as the subtask lists it. */
    private static String metricId(RestApi rest, JobID job, JobVertexID vertex, String suffix)
            throws Exception {
        String wanted = OPERATOR + ".flinkrecovery." + suffix;
        for (String id : rest.subtaskMetrics(job, vertex, 0).keySet()) {
            if (id.equals(wanted)) {
                return id;
            }
        }
        throw new AssertionError("No metric " + wanted + " on " + vertex);
    }

    /**
     * Waits until the REST API shows {@code group}'s metrics for {@code checkpointId}; returns them
     * by short name ({@code uploadedBytes}).
     */
    private static Map<String, String> awaitMetrics(
            RestApi rest, JobID job, JobVertexID vertex, int subtask, String group, long id) {
        String prefix = OPERATOR + ".flinkrecovery." + group + ".";
        return await().alias(group + " metrics of subtask " + subtask + " for checkpoint " + id)
                .atMost(TestClusters.TIMEOUT)
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .until(
                        () -> {
                            List<String> ids = new ArrayList<>();
                            for (String metric :
                                    rest.subtaskMetrics(job, vertex, subtask).keySet()) {
                                if (metric.startsWith(prefix)) {
                                    ids.add(metric);
                                }
                            }
                            Map<String, String> values = new TreeMap<>();
                            rest.subtaskMetrics(job, vertex, subtask, ids.toArray(new String[0]))
                                    .forEach((k, v) -> values.put(k.substring(prefix.length()), v));
                            return values;
                        },
                        values -> Long.toString(id).equals(values.get("checkpointId")));
    }

    private static long value(Map<String, String> metrics, String name) {
        String value = metrics.get(name);
        assertThat(value).as("metric %s in %s", name, metrics).isNotNull();
        return Long.parseLong(value.toLowerCase(Locale.ROOT));
    }

    private static JsonNode subtaskEntry(JsonNode entries, int subtask) {
        for (JsonNode entry : entries) {
            if (entry.get("subtask").asInt() == subtask) {
                return entry;
            }
        }
        throw new AssertionError("No entry for subtask " + subtask + " in " + entries);
    }
}
