package io.flinkrecovery.it;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;

import io.flinkrecovery.testing.EmbeddedS3Extension;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Switching from {@code HashMapStateBackend} to the incremental heap backend without losing state:
 * through a retained hashmap checkpoint (also rescaled 2 → 3), and through a canonical savepoint,
 * after which the job checkpoints in our format and restores from that again.
 */
class IncrementalHeapSwitchBackendITCase {

    @RegisterExtension
    @Order(1)
    static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("it-heap-switch");

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(() -> TestClusters.miniCluster(S3, 3));

    @Test
    void hashMapCheckpointAndSavepointRestoreIntoTheIncrementalHeapBackend(
            @InjectMiniCluster MiniCluster flink) throws Exception {
        String prefix = "switch";
        Configuration hashMap = TestClusters.s3Storage(S3, prefix);
        TestClusters.useBackend(hashMap, "hashmap");
        Configuration ours = TestClusters.s3Storage(S3, prefix);
        TestClusters.useBackend(ours, "incremental-heap");
        AllStatesJob onHashMap = AllStatesJob.of("switch-on-hashmap", 20_000, 300, 2_000);
        onHashMap.reset();

        JobID first = onHashMap.start(hashMap, 2);
        Checkpoints.awaitStats(flink, first, "2 checkpoints", s -> Checkpoints.completed(s) >= 2);
        String savepoint =
                flink.triggerSavepoint(first, null, false, SavepointFormatType.CANONICAL).get();
        HeapRuns.Retained hashMapSavepoint = HeapRuns.latestSavepoint(flink, onHashMap, first);
        assertThat(hashMapSavepoint.pointer()).isEqualTo(savepoint);
        long afterSavepoint = Checkpoints.completed(Checkpoints.stats(flink, first));
        Checkpoints.awaitStats(
                flink,
                first,
                "a checkpoint after the savepoint",
                s -> Checkpoints.completed(s) > afterSavepoint);
        HeapRuns.Retained hashMapCheckpoint = HeapRuns.cancel(flink, hashMap, onHashMap, first);

        // Through the retained hashmap checkpoint, rescaled 2 → 3.
        AllStatesJob fromCheckpoint = onHashMap.withRunId("switch-from-checkpoint");
        fromCheckpoint.reset();
        Configuration restoreCheckpoint = new Configuration(ours);
        restoreCheckpoint.setString("execution.state-recovery.path", hashMapCheckpoint.pointer());
        JobID second = fromCheckpoint.start(restoreCheckpoint, 3);
        JobRuns.awaitStatus(flink, second, JobStatus.FINISHED);
        assertThat(JobRuns.restoredFrom(flink, second).getExternalPath())
                .isEqualTo(hashMapCheckpoint.pointer());
        HeapRuns.assertExactlyOnce(fromCheckpoint, second, 3);

        // Through the canonical savepoint; then a few checkpoints in our format, restored again.
        AllStatesJob fromSavepoint = onHashMap.withRunId("switch-from-savepoint");
        fromSavepoint.reset();
        Configuration restoreSavepoint = new Configuration(ours);
        restoreSavepoint.setString("execution.state-recovery.path", savepoint);
        HeapRuns.Retained ourCheckpoint =
                HeapRuns.runAndCancel(flink, restoreSavepoint, fromSavepoint, 2, 3);
        assertThat(JobRuns.restoredFrom(flink, ourCheckpoint.job()).getExternalPath())
                .isEqualTo(savepoint);
        assertThat(ourCheckpoint.events()).isGreaterThan(hashMapSavepoint.events());
        String ourJobDir = TestClusters.checkpointDir(S3, prefix) + "/" + ourCheckpoint.job();
        assertThat(HeapRuns.objects(HeapRuns.store(ours), ourJobDir).keySet())
                .as("segments of the incremental heap backend")
                .anyMatch(location -> location.startsWith(ourJobDir + "/shared/"));

        Configuration restoreOurs = new Configuration(ours);
        restoreOurs.setString("execution.state-recovery.path", ourCheckpoint.pointer());
        JobID fourth = fromSavepoint.start(restoreOurs, 2);
        JobRuns.awaitStatus(flink, fourth, JobStatus.FINISHED);
        assertThat(JobRuns.restoredFrom(flink, fourth).getExternalPath())
                .isEqualTo(ourCheckpoint.pointer());
        HeapRuns.assertExactlyOnce(fromSavepoint, fourth, 2);
    }
}
