package io.flinkrecovery.examples.demo;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.checkpoint.RestoredCheckpointStats;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.util.SerializedThrowable;

import io.flinkrecovery.examples.compat.JobSubmission;
import io.flinkrecovery.examples.totals.RunningTotalsJob;

import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** One submission of the demo's job to the MiniCluster, and what the demo waits for on it. */
final class DemoJob {

    private final MiniCluster cluster;
    private final String name;
    private final JobID id;

    private DemoJob(MiniCluster cluster, String name, JobID id) {
        this.cluster = cluster;
        this.name = name;
        this.id = id;
    }

    /**
     * Submits {@code job} with {@code config}, restored from {@code restorePath} (a checkpoint or
     * savepoint pointer) unless that is null.
     */
    static DemoJob submit(
            MiniCluster cluster,
            Configuration config,
            String name,
            RunningTotalsJob job,
            String restorePath)
            throws Exception {
        Configuration jobConfig = new Configuration(config);
        jobConfig.set(PipelineOptions.NAME, name);
        if (restorePath != null) {
            jobConfig.set(StateRecoveryOptions.SAVEPOINT_PATH, restorePath);
        }
        StreamExecutionEnvironment env = new StreamExecutionEnvironment(jobConfig);
        job.addTo(env);
        StreamGraph graph = env.getStreamGraph();
        // What a client's executor does: the job id and pipeline.classpaths travel in the graph.
        JobID id = new JobID();
        List<URL> classpath = new ArrayList<>();
        for (String url : jobConfig.getOptional(PipelineOptions.CLASSPATHS).orElse(List.of())) {
            classpath.add(new URL(url));
        }
        JobSubmission.submit(cluster, graph, id, classpath);
        return new DemoJob(cluster, name, id);
    }

    JobID id() {
        return id;
    }

    String name() {
        return name;
    }

    JobStatus status() throws Exception {
        return cluster.getJobStatus(id).get();
    }

    CheckpointStatsSnapshot checkpointStats() throws Exception {
        return cluster.getExecutionGraph(id).get().getCheckpointStatsSnapshot();
    }

    /**
     * Waits until Flink restored this job from a checkpoint while it ran (after a failure) and
     * completed a newer checkpoint after that restore.
     */
    CheckpointStatsSnapshot awaitRestoreAndNewerCheckpoint(Duration timeout) throws Exception {
        return Polling.await(
                name + " to restore from a checkpoint and complete a newer one",
                timeout,
                () -> {
                    failIfTerminal();
                    CheckpointStatsSnapshot stats = checkpointStats();
                    RestoredCheckpointStats restored = stats.getLatestRestoredCheckpoint();
                    CompletedCheckpointStats latest =
                            stats.getHistory().getLatestCompletedCheckpoint();
                    boolean newer =
                            restored != null
                                    && latest != null
                                    && latest.getCheckpointId() > restored.getCheckpointId();
                    return newer ? Optional.of(stats) : Optional.empty();
                });
    }

    /** Cancels the job and waits until it is cancelled. Retained checkpoints stay. */
    void cancel(Duration timeout) throws Exception {
        cluster.cancelJob(id).get();
        Polling.await(
                name + " to be cancelled",
                timeout,
                () -> status() == JobStatus.CANCELED ? Optional.of(true) : Optional.empty());
    }

    /**
     * Waits for the job to finish.
     *
     * @throws IllegalStateException with the job's failure if it did not finish successfully
     */
    void awaitFinished(Duration timeout) throws Exception {
        Polling.await(
                name + " to finish",
                timeout,
                () -> status().isGloballyTerminalState() ? Optional.of(true) : Optional.empty());
        JobResult result = cluster.requestJobResult(id).get();
        if (!result.isSuccess()) {
            throw failure(result, "did not finish");
        }
    }

    private void failIfTerminal() throws Exception {
        JobStatus status = status();
        if (status.isGloballyTerminalState()) {
            throw failure(cluster.requestJobResult(id).get(), "ended early as " + status);
        }
    }

    private IllegalStateException failure(JobResult result, String what) {
        String message = name + " (job " + id + ") " + what;
        Optional<SerializedThrowable> cause = result.getSerializedThrowable();
        if (cause.isEmpty()) {
            return new IllegalStateException(message);
        }
        Throwable root = cause.get();
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return new IllegalStateException(
                message
                        + ": "
                        + cause.get().getMessage()
                        + " (root cause: "
                        + root.getMessage()
                        + ")",
                cause.get());
    }
}
