package io.flinkrecovery.it;

import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.minicluster.MiniCluster;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;

/** Reads a running job's checkpoint statistics from the MiniCluster, and waits on them. */
final class Checkpoints {

    private Checkpoints() {}

    static CheckpointStatsSnapshot stats(MiniCluster flink, JobID job) {
        return flink.getExecutionGraph(job).join().getCheckpointStatsSnapshot();
    }

    static CheckpointStatsSnapshot awaitStats(
            MiniCluster flink, JobID job, String what, Predicate<CheckpointStatsSnapshot> until) {
        CheckpointStatsSnapshot[] last = new CheckpointStatsSnapshot[1];
        await().alias(what)
                .atMost(TestClusters.TIMEOUT)
                .pollInterval(java.time.Duration.ofMillis(100))
                .until(
                        () -> {
                            last[0] = stats(flink, job);
                            return until.test(last[0]);
                        });
        return last[0];
    }

    static long completed(CheckpointStatsSnapshot stats) {
        return stats.getCounts().getNumberOfCompletedCheckpoints();
    }

    static long failed(CheckpointStatsSnapshot stats) {
        return stats.getCounts().getNumberOfFailedCheckpoints();
    }

    /** The external pointer of the newest completed checkpoint. */
    static String latestPointer(CheckpointStatsSnapshot stats) {
        CompletedCheckpointStats latest = stats.getHistory().getLatestCompletedCheckpoint();
        if (latest == null) {
            throw new AssertionError("No completed checkpoint yet");
        }
        return latest.getExternalPath();
    }

    static List<Long> idsWithStatus(CheckpointStatsSnapshot stats, CheckpointStatsStatus status) {
        List<Long> ids = new ArrayList<>();
        for (AbstractCheckpointStats checkpoint : stats.getHistory().getCheckpoints()) {
            if (checkpoint.getStatus() == status) {
                ids.add(checkpoint.getCheckpointId());
            }
        }
        return ids;
    }
}
