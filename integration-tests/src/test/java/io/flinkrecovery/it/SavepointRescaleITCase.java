package io.flinkrecovery.it;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;

import io.flinkrecovery.examples.totals.ExpectedTotals;
import io.flinkrecovery.examples.totals.RunningTotalsJob;
import io.flinkrecovery.testing.EmbeddedS3Extension;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** A savepoint to S3 restores with a different parallelism (2 → 3), exactly once. */
class SavepointRescaleITCase {

    @RegisterExtension
    @Order(1)
    static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("it-savepoint");

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(() -> TestClusters.miniCluster(S3, 3));

    @ParameterizedTest(name = "{0}, {1} savepoint")
    @CsvSource({
        "hashmap, CANONICAL",
        "incremental-heap, CANONICAL",
        "incremental-heap, NATIVE",
        "rocksdb-incremental, NATIVE"
    })
    void savepointRestoresWithAnotherParallelism(
            String backend, SavepointFormatType format, @InjectMiniCluster MiniCluster flink)
            throws Exception {
        String runId = "savepoint-" + backend;
        Configuration config = TestClusters.s3Storage(S3, runId);
        TestClusters.useBackend(config, backend);
        RunningTotalsJob job =
                RunningTotalsJob.builder(runId)
                        .events(12_000)
                        .keys(150)
                        .eventsPerSecond(2_000)
                        .build();

        JobID first = JobRuns.start(config, job, 2);
        Checkpoints.awaitStats(flink, first, "a checkpoint", s -> Checkpoints.completed(s) >= 1);
        String savepoint = flink.triggerSavepoint(first, null, true, format).get();
        JobRuns.awaitStatus(flink, first, JobStatus.CANCELED);
        assertThat(savepoint)
                .startsWith("s3://" + S3.bucket() + "/" + runId + "/savepoints/savepoint-");

        config.setString("execution.state-recovery.path", savepoint);
        JobID second = JobRuns.start(config, job, 3);
        JobRuns.awaitStatus(flink, second, JobStatus.FINISHED);

        assertThat(JobRuns.restoredFrom(flink, second).getExternalPath()).isEqualTo(savepoint);
        assertThat(ExpectedTotals.mismatches(job.expected(), job.results())).isEmpty();
    }
}
