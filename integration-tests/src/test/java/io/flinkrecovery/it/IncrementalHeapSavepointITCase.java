package io.flinkrecovery.it;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;

import io.flinkrecovery.objectstore.ObjectStore;
import io.flinkrecovery.testing.EmbeddedS3Extension;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Locale;
import java.util.SortedMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Savepoints of {@link AllStatesJob} on the incremental heap backend, which {@link
 * SavepointRescaleITCase} covers only for a job with one value state: native and canonical,
 * restored with parallelism 2 → 3 after the job's checkpoints are deleted (a savepoint owns its
 * files), and a canonical one restored into {@code HashMapStateBackend}.
 */
class IncrementalHeapSavepointITCase {

    @RegisterExtension
    @Order(1)
    static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("it-heap-savepoint");

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(() -> TestClusters.miniCluster(S3, 3));

    @ParameterizedTest(name = "{0} savepoint into {1}")
    @CsvSource({"NATIVE, incremental-heap", "CANONICAL, incremental-heap", "CANONICAL, hashmap"})
    void savepointRestoresWithoutTheCheckpoints(
            SavepointFormatType format, String target, @InjectMiniCluster MiniCluster flink)
            throws Exception {
        String runId = "savepoint-" + format.name().toLowerCase(Locale.ROOT) + "-into-" + target;
        Configuration config = TestClusters.s3Storage(S3, runId);
        TestClusters.useBackend(config, "incremental-heap");
        ObjectStore store = HeapRuns.store(config);
        AllStatesJob job = AllStatesJob.of(runId, 16_000, 300, 2_000);
        job.reset();

        JobID first = job.start(config, 2);
        Checkpoints.awaitStats(flink, first, "2 checkpoints", s -> Checkpoints.completed(s) >= 2);
        String savepoint = flink.triggerSavepoint(first, null, true, format).get();
        JobRuns.awaitStatus(flink, first, JobStatus.CANCELED);
        assertThat(savepoint)
                .startsWith("s3://" + S3.bucket() + "/" + runId + "/savepoints/savepoint-");
        assertThat(HeapRuns.latestSavepoint(flink, job, first).pointer()).isEqualTo(savepoint);

        String checkpointDir = TestClusters.checkpointDir(S3, runId) + "/" + first;
        SortedMap<String, Long> checkpoints = HeapRuns.objects(store, checkpointDir);
        assertThat(checkpoints).as("the first run's checkpoint objects").isNotEmpty();
        HeapRuns.delete(store, checkpoints.keySet());

        Configuration restore = new Configuration(config);
        TestClusters.useBackend(restore, target);
        restore.setString("execution.state-recovery.path", savepoint);
        JobID second = job.start(restore, 3);
        JobRuns.awaitStatus(flink, second, JobStatus.FINISHED);

        assertThat(JobRuns.restoredFrom(flink, second).getExternalPath()).isEqualTo(savepoint);
        HeapRuns.assertExactlyOnce(job, second, 3);
    }
}
