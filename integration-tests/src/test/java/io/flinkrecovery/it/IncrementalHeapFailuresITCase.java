package io.flinkrecovery.it;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.RestoredCheckpointStats;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;

import io.flinkrecovery.testing.EmbeddedS3Extension;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three injected failures in one run of {@link AllStatesJob} on the incremental heap backend: every
 * keyed state type, both timer domains, TTL, operator and broadcast state come back from our
 * checkpoints, and every summary the job emitted equals the reference computed without Flink.
 */
class IncrementalHeapFailuresITCase {

    @RegisterExtension
    @Order(1)
    static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("it-heap-failures");

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(() -> TestClusters.miniCluster(S3, 2));

    @Test
    void everyStateSurvivesThreeFailuresExactlyOnce(@InjectMiniCluster MiniCluster flink)
            throws Exception {
        String runId = "heap-failures";
        Configuration config = TestClusters.s3Storage(S3, runId);
        TestClusters.useBackend(config, "incremental-heap");
        AllStatesJob job = AllStatesJob.of(runId, 30_000, 300, 2_000).failing(3, 2_500);
        job.reset();

        JobID id = job.start(config, 2);
        JobRuns.awaitStatus(flink, id, JobStatus.FINISHED);

        assertThat(job.injectedFailures()).as("injected failures").isEqualTo(3);
        RestoredCheckpointStats restored = JobRuns.restoredFrom(flink, id);
        assertThat(restored).as("Flink restored from a checkpoint").isNotNull();
        assertThat(restored.getExternalPath())
                .startsWith(TestClusters.checkpointDir(S3, runId) + "/" + id + "/chk-");
        HeapRuns.assertExactlyOnce(job, id, 2);
    }
}
