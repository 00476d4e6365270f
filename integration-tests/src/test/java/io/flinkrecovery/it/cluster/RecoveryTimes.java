package io.flinkrecovery.it.cluster;

import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointStatistics.CompletedCheckpointStatistics;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointingStatistics.RestoredCheckpointStatistics;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * How long a job took to recover from a killed process, from the kill to: the restore of its
 * checkpoint (the JobManager's restore timestamp), every task running again, and the next completed
 * checkpoint (its last acknowledgement).
 */
record RecoveryTimes(
        String scenario, Duration restored, Duration tasksUp, Duration nextCheckpoint) {

    static RecoveryTimes of(
            String scenario,
            Instant killed,
            RestoredCheckpointStatistics restored,
            Instant tasksUp,
            CompletedCheckpointStatistics next) {
        return new RecoveryTimes(
                scenario,
                Duration.ofMillis(restored.getRestoreTimestamp() - killed.toEpochMilli()),
                Duration.between(killed, tasksUp),
                Duration.ofMillis(next.getLatestAckTimestamp() - killed.toEpochMilli()));
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "Recovery after %s: restored %.1f s, tasks running %.1f s, next checkpoint %.1f s"
                        + " after it",
                scenario,
                restored.toMillis() / 1000.0,
                tasksUp.toMillis() / 1000.0,
                nextCheckpoint.toMillis() / 1000.0);
    }
}
