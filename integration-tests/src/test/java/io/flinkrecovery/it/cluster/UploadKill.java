package io.flinkrecovery.it.cluster;

import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointStatistics;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointStatistics.CompletedCheckpointStatistics;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointingStatistics;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static org.awaitility.Awaitility.await;

/**
 * A {@code kill -9} of the leading JobManager, or of a TaskManager, while a checkpoint uploads:
 * REST shows the checkpoint in progress with some subtasks yet to acknowledge, and its directory
 * already holds an object, so a TaskManager is writing it and the JobManager has not written its
 * {@code _metadata}.
 */
record UploadKill(
        String killed,
        CompletedCheckpointStatistics newestCompleted,
        long inProgressId,
        Instant at) {

    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    /**
     * Waits for a checkpoint of {@code job} to be mid-upload, then kills {@code leader}. Uploads
     * must be slow (added latency), or the moment may never be seen.
     */
    static UploadKill during(
            HaCluster.JobManager leader, JobID job, ClusterCheckpoints checkpoints) {
        return during("the leading JobManager", leader.process(), leader.rest(), job, checkpoints);
    }

    /**
     * Waits, watching through {@code rest}, for a checkpoint of {@code job} to be mid-upload, then
     * kills {@code process}, described as {@code killed}.
     */
    static UploadKill during(
            String killed,
            ManagedProcess process,
            RestApi rest,
            JobID job,
            ClusterCheckpoints checkpoints) {
        return await().alias("a checkpoint of " + job + " mid-upload, then the kill of " + process)
                .atMost(TIMEOUT)
                .pollInterval(Duration.ofMillis(50))
                .ignoreExceptions()
                .until(
                        () -> killIfUploading(rest, job, checkpoints, killed, process),
                        Optional::isPresent)
                .orElseThrow();
    }

    private static Optional<UploadKill> killIfUploading(
            RestApi rest,
            JobID job,
            ClusterCheckpoints checkpoints,
            String killed,
            ManagedProcess process)
            throws Exception {
        CheckpointingStatistics stats = rest.checkpoints(job);
        CompletedCheckpointStatistics newest =
                stats.getLatestCheckpoints().getCompletedCheckpointStatistics();
        if (newest == null) {
            return Optional.empty();
        }
        for (CheckpointStatistics checkpoint : stats.getHistory()) {
            if (checkpoint.getStatus() == CheckpointStatsStatus.IN_PROGRESS
                    && checkpoint.getId() > newest.getId()
                    && checkpoint.getNumAckSubtasks() < checkpoint.getNumSubtasks()
                    && !checkpoints.checkpointObjects(job, checkpoint.getId()).isEmpty()) {
                Instant at = process.kill();
                return Optional.of(new UploadKill(killed, newest, checkpoint.getId(), at));
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "Killed "
                + killed
                + " at "
                + at
                + " while checkpoint "
                + inProgressId
                + " uploaded; the newest completed one was "
                + newestCompleted.getId();
    }
}
