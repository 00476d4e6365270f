package io.flinkrecovery.it;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;

import io.flinkrecovery.objectstore.ObjectStore;
import io.flinkrecovery.testing.EmbeddedS3Extension;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.SortedMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Claim modes on the incremental heap backend: a NO_CLAIM restore leaves the original checkpoint's
 * objects untouched and its own checkpoints reference none of them; a CLAIM restore of that run's
 * checkpoint takes it over and deletes it once subsumed. Both end exactly at the reference.
 */
class IncrementalHeapClaimModesITCase {

    @RegisterExtension
    @Order(1)
    static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("it-heap-claim");

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(() -> TestClusters.miniCluster(S3, 2));

    @Test
    void noClaimThenClaim(@InjectMiniCluster MiniCluster flink) throws Exception {
        String runId = "claim-modes";
        Configuration config = TestClusters.s3Storage(S3, runId);
        TestClusters.useBackend(config, "incremental-heap");
        ObjectStore store = HeapRuns.store(config);
        AllStatesJob job = AllStatesJob.of(runId, 30_000, 300, 2_000);
        job.reset();

        HeapRuns.Retained original = HeapRuns.runAndCancel(flink, config, job, 2, 3);
        String originalDir = TestClusters.checkpointDir(S3, runId) + "/" + original.job();
        SortedMap<String, Long> originalObjects = HeapRuns.objects(store, originalDir);
        assertThat(originalObjects).containsKey(original.pointer() + "/_metadata");

        // NO_CLAIM: the new run checkpoints (the first in full, then incrementally) and is
        // cancelled; the original checkpoint's objects are all still there, unchanged.
        Configuration noClaim = new Configuration(config);
        noClaim.setString("execution.state-recovery.path", original.pointer());
        noClaim.setString("execution.state-recovery.claim-mode", "NO_CLAIM");
        HeapRuns.Retained second = HeapRuns.runAndCancel(flink, noClaim, job, 2, 3);
        assertThat(JobRuns.restoredFrom(flink, second.job()).getExternalPath())
                .isEqualTo(original.pointer());
        assertThat(second.events()).isGreaterThan(original.events());
        assertThat(HeapRuns.objects(store, originalDir))
                .as("every object of the original job directory, with its size")
                .isEqualTo(originalObjects);

        // The NO_CLAIM run's checkpoints reference nothing of the original: without its objects,
        // the CLAIM restore below still succeeds.
        HeapRuns.delete(store, originalObjects.keySet());
        assertThat(HeapRuns.objects(store, originalDir)).isEmpty();

        Configuration claim = new Configuration(config);
        claim.setString("execution.state-recovery.path", second.pointer());
        claim.setString("execution.state-recovery.claim-mode", "CLAIM");
        JobID third = job.start(claim, 2);
        JobRuns.awaitStatus(flink, third, JobStatus.FINISHED);

        assertThat(JobRuns.restoredFrom(flink, third).getExternalPath())
                .isEqualTo(second.pointer());
        HeapRuns.assertExactlyOnce(job, third, 2);
        // The claimed checkpoint now belongs to the third run, which deleted it once subsumed.
        String secondDir = TestClusters.checkpointDir(S3, runId) + "/" + second.job();
        await().alias("the claimed checkpoint's _metadata is deleted")
                .atMost(TestClusters.TIMEOUT)
                .until(
                        () ->
                                !HeapRuns.objects(store, secondDir)
                                        .containsKey(second.pointer() + "/_metadata"));
    }
}
