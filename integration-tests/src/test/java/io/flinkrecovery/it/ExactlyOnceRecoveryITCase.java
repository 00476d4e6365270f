package io.flinkrecovery.it;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.RestoredCheckpointStats;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;

import io.flinkrecovery.examples.totals.ExpectedTotals;
import io.flinkrecovery.examples.totals.RunningTotalsJob;
import io.flinkrecovery.testing.EmbeddedS3Extension;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A task fails mid-run; Flink restores from the latest checkpoint on our storage and the final
 * state equals the reference computed without Flink, for the heap and the RocksDB incremental
 * backends.
 */
class ExactlyOnceRecoveryITCase {

    @RegisterExtension
    @Order(1)
    static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("it-exactly-once");

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(() -> TestClusters.miniCluster(S3, 2));

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "incremental-heap", "rocksdb-incremental"})
    void recoversFromTheLatestCheckpointExactlyOnce(
            String backend, @InjectMiniCluster MiniCluster flink) throws Exception {
        Configuration config = TestClusters.s3Storage(S3, "exactly-once-" + backend);
        TestClusters.useBackend(config, backend);
        RunningTotalsJob job =
                RunningTotalsJob.builder("exactly-once-" + backend)
                        .events(12_000)
                        .keys(100)
                        .eventsPerSecond(3_000)
                        .failAfterRecords(2_500)
                        .build();

        JobID id = JobRuns.start(config, job, 2);
        JobRuns.awaitStatus(flink, id, JobStatus.FINISHED);

        assertThat(job.hasFailed()).as("the injected failure happened").isTrue();
        RestoredCheckpointStats restored = JobRuns.restoredFrom(flink, id);
        assertThat(restored).as("Flink restored from a checkpoint").isNotNull();
        assertThat(restored.getExternalPath())
                .startsWith(
                        TestClusters.checkpointDir(S3, "exactly-once-" + backend)
                                + "/"
                                + id
                                + "/chk-");
        assertThat(ExpectedTotals.mismatches(job.expected(), job.results())).isEmpty();
    }
}
