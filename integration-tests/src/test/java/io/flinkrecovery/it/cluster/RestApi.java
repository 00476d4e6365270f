package io.flinkrecovery.it.cluster;

import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.jobgraph.JobVertexID;
import org.apache.flink.runtime.messages.webmonitor.MultipleJobsDetails;
import org.apache.flink.runtime.rest.handler.legacy.messages.ClusterOverviewWithVersion;
import org.apache.flink.runtime.rest.messages.JobExceptionsInfoWithHistory;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointingStatistics;
import org.apache.flink.runtime.rest.messages.job.JobDetailsInfo;
import org.apache.flink.runtime.rest.util.RestMapperUtils;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads one JobManager's REST API, as the web UI does, into Flink's own response classes. A
 * JobManager that is not the leader answers with the leader's data, or 503 while none is elected.
 */
public final class RestApi {

    /** Short: a request to a JobManager that just lost its leader must not stall a poll. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);

    private final String baseUrl;
    private final HttpClient http;

    public RestApi(int port) {
        this.baseUrl = "http://127.0.0.1:" + port;
        this.http = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();
    }

    /** {@code GET /overview}: TaskManagers, slots and jobs of the cluster. */
    ClusterOverviewWithVersion overview() throws IOException, InterruptedException {
        return get("/overview", ClusterOverviewWithVersion.class);
    }

    /** {@code GET /jobs/<id>}. */
    public JobDetailsInfo job(JobID job) throws IOException, InterruptedException {
        return get("/jobs/" + job, JobDetailsInfo.class);
    }

    /** {@code GET /jobs/<id>/checkpoints}: counts, the latest checkpoints, and the history. */
    CheckpointingStatistics checkpoints(JobID job) throws IOException, InterruptedException {
        return get("/jobs/" + job + "/checkpoints", CheckpointingStatistics.class);
    }

    /** {@code GET /jobs/<id>/exceptions}: the failures of the job, newest first. */
    JobExceptionsInfoWithHistory exceptions(JobID job) throws IOException, InterruptedException {
        return get("/jobs/" + job + "/exceptions", JobExceptionsInfoWithHistory.class);
    }

    /** {@code GET /jobs/overview}: every job the cluster knows, with its id and status. */
    MultipleJobsDetails jobs() throws IOException, InterruptedException {
        return get("/jobs/overview", MultipleJobsDetails.class);
    }

    /**
     * {@code GET /jobs/<id>/vertices/<vertex>/subtasks/<n>/metrics}: with no {@code ids}, every
     * metric id the subtask has (values null); else those metrics' values, as the web UI shows
     * them. Operator metrics are named {@code <operator name>.<metric>}.
     */
    public Map<String, String> subtaskMetrics(
            JobID job, JobVertexID vertex, int subtask, String... ids)
            throws IOException, InterruptedException {
        String path = "/jobs/" + job + "/vertices/" + vertex + "/subtasks/" + subtask + "/metrics";
        if (ids.length > 0) {
            path += "?get=" + URLEncoder.encode(String.join(",", ids), StandardCharsets.UTF_8);
        }
        Map<String, String> metrics = new LinkedHashMap<>();
        for (JsonNode metric : RestMapperUtils.getFlexibleObjectMapper().readTree(raw(path))) {
            JsonNode value = metric.get("value");
            metrics.put(metric.get("id").asText(), value == null ? null : value.asText());
        }
        return metrics;
    }

    /** The body of {@code GET <path>}, as the web UI would receive it. */
    String raw(String path) throws IOException, InterruptedException {
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(URI.create(baseUrl + path))
                                .timeout(REQUEST_TIMEOUT)
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(
                    "GET "
                            + baseUrl
                            + path
                            + ": HTTP "
                            + response.statusCode()
                            + " "
                            + response.body());
        }
        return response.body();
    }

    private <T> T get(String path, Class<T> type) throws IOException, InterruptedException {
        return RestMapperUtils.getFlexibleObjectMapper().readValue(raw(path), type);
    }

    @Override
    public String toString() {
        return baseUrl;
    }
}
