package io.flinkrecovery.it.cluster;

import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointStatistics.CompletedCheckpointStatistics;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointingStatistics.RestoredCheckpointStatistics;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** What the cluster tests check about the checkpoint a job restored after a fault. */
final class RestoredCheckpoints {

    private RestoredCheckpoints() {}

    /**
     * Waits until the job restored a checkpoint after {@code fault}, runs every task, and completed
     * the next checkpoint; prints the {@link RecoveryTimes} of {@code scenario} and returns the
     * restored checkpoint.
     */
    static RestoredCheckpointStatistics awaitRecovery(
            String scenario, JobWatch watch, Instant fault) {
        RestoredCheckpointStatistics restored = watch.awaitRestoredSince(fault);
        Instant tasksUp = watch.awaitTasksUp();
        CompletedCheckpointStatistics next = watch.awaitCompleted(restored.getId() + 1);
        System.out.println(RecoveryTimes.of(scenario, fault, restored, tasksUp, next));
        return restored;
    }

    /**
     * The restore used the checkpoint that completed last before the kill: the kill came within the
     * minimum pause after it, so no later checkpoint could complete, and none that had not
     * completed was used.
     */
    static void assertNewestBefore(
            RestoredCheckpointStatistics restored, JobWatch.Kill kill, JobID job) {
        CompletedCheckpointStatistics newest = kill.newest();
        assertThat(kill.at().toEpochMilli() - newest.getLatestAckTimestamp())
                .as("kill within the minimum pause after checkpoint %d", newest.getId())
                .isLessThan(ClusterConfig.MIN_PAUSE_MILLIS);
        assertThat(restored.getId()).as("restored checkpoint").isEqualTo(newest.getId());
        assertThat(restored.isSavepoint()).isFalse();
        assertThat(restored.getExternalPath())
                .isEqualTo(newest.getExternalPath())
                .isEqualTo(pointer(job, newest.getId()));
    }

    /** Where our storage keeps checkpoint {@code id} of {@code job} on the cluster's bucket. */
    static String pointer(JobID job, long id) {
        return "s3://" + HaCluster.BUCKET + "/checkpoints/" + job + "/chk-" + id;
    }
}
