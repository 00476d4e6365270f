package io.flinkrecovery.it.cluster;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointStatistics.CompletedCheckpointStatistics;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointingStatistics;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointingStatistics.RestoredCheckpointStatistics;
import org.apache.flink.runtime.rest.messages.job.JobDetailsInfo;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import static org.awaitility.Awaitility.await;

/**
 * Waits on one job through one JobManager's REST API, as an operator watching the web UI would.
 * Requests that fail (no leader yet, the job not yet recovered) count as "not yet".
 */
final class JobWatch {

    static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final Duration POLL = Duration.ofMillis(50);
    private static final int ATTEMPTS = 8;
    private static final Set<ExecutionState> UP =
            Set.of(ExecutionState.RUNNING, ExecutionState.FINISHED);

    private final RestApi rest;
    private final JobID job;

    JobWatch(RestApi rest, JobID job) {
        this.rest = rest;
        this.job = job;
    }

    /** The newest completed checkpoint, once its id is at least {@code minId}. */
    CompletedCheckpointStatistics awaitCompleted(long minId) {
        return await().alias("job " + job + ": checkpoint " + minId + " completed, via " + rest)
                .atMost(TIMEOUT)
                .pollInterval(POLL)
                .ignoreExceptions()
                .until(this::latestCompleted, latest -> latest != null && latest.getId() >= minId);
    }

    /**
     * The next checkpoint to complete, as soon as REST shows it: the moment to kill a process if
     * the restore must use exactly this checkpoint, since the next one cannot start before {@link
     * ClusterConfig#MIN_PAUSE_MILLIS}.
     */
    CompletedCheckpointStatistics awaitNextCompleted() {
        CompletedCheckpointStatistics current = awaitCompleted(1);
        return awaitCompleted(current.getId() + 1);
    }

    /** A kill, and the newest checkpoint that had completed when it came. */
    record Kill(CompletedCheckpointStatistics newest, Instant at) {}

    /**
     * Kills {@code process} as soon as REST shows the next completed checkpoint, while the next one
     * cannot have completed yet: it starts {@link ClusterConfig#MIN_PAUSE_MILLIS} after this one
     * completed at the earliest. If the news came too late for that on a busy machine (a quarter of
     * the pause is kept for the fault itself), waits for the next checkpoint, {@value #ATTEMPTS}
     * times at most.
     */
    Kill killRightAfterACheckpoint(ManagedProcess process) {
        return rightAfterACheckpoint("kill " + process, process::kill);
    }

    /**
     * Runs {@code fault}, such as stopping processes, as {@link #killRightAfterACheckpoint} kills
     * one; {@code fault} returns the moment it began.
     */
    Kill rightAfterACheckpoint(String description, Supplier<Instant> fault) {
        List<Long> lateBy = new ArrayList<>();
        while (lateBy.size() < ATTEMPTS) {
            CompletedCheckpointStatistics newest = awaitNextCompleted();
            long sinceAck = System.currentTimeMillis() - newest.getLatestAckTimestamp();
            if (sinceAck < ClusterConfig.MIN_PAUSE_MILLIS * 3 / 4) {
                return new Kill(newest, fault.get());
            }
            lateBy.add(sinceAck);
        }
        throw new IllegalStateException(
                "Saw each of "
                        + ATTEMPTS
                        + " checkpoints complete too late to "
                        + description
                        + " before the next one could complete; ms from each one's last"
                        + " acknowledgement to REST showing it: "
                        + lateBy);
    }

    /** The checkpoint the job restored from, once it restored at or after {@code since}. */
    RestoredCheckpointStatistics awaitRestoredSince(Instant since) {
        return await().alias("job " + job + " restored after " + since + ", via " + rest)
                .atMost(TIMEOUT)
                .pollInterval(POLL)
                .ignoreExceptions()
                .until(
                        () ->
                                rest.checkpoints(job)
                                        .getLatestCheckpoints()
                                        .getRestoredCheckpointStatistics(),
                        restored ->
                                restored != null
                                        && restored.getRestoreTimestamp() >= since.toEpochMilli());
    }

    /** Waits until the job runs and each of its tasks runs or has finished; returns that moment. */
    Instant awaitTasksUp() {
        await().alias("job " + job + " running with every task up, via " + rest)
                .atMost(TIMEOUT)
                .pollInterval(POLL)
                .ignoreExceptions()
                .until(() -> tasksUp(rest.job(job)));
        return Instant.now();
    }

    void awaitStatus(JobStatus status) {
        await().alias("job " + job + " " + status + ", via " + rest)
                .atMost(TIMEOUT)
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .until(() -> rest.job(job).getJobStatus() == status);
    }

    private CompletedCheckpointStatistics latestCompleted() throws Exception {
        CheckpointingStatistics stats = rest.checkpoints(job);
        return stats.getLatestCheckpoints().getCompletedCheckpointStatistics();
    }

    private static boolean tasksUp(JobDetailsInfo details) {
        if (details.getJobStatus() != JobStatus.RUNNING) {
            return false;
        }
        for (JobDetailsInfo.JobVertexDetailsInfo vertex : details.getJobVertexInfos()) {
            int up = 0;
            for (Map.Entry<ExecutionState, Integer> entry : vertex.getTasksPerState().entrySet()) {
                if (UP.contains(entry.getKey())) {
                    up += entry.getValue();
                }
            }
            if (up != vertex.getParallelism()) {
                return false;
            }
        }
        return true;
    }
}
