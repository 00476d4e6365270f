package io.flinkrecovery.it;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;

import io.flinkrecovery.examples.totals.ExpectedTotals;
import io.flinkrecovery.examples.totals.RunningTotalsJob;
import io.flinkrecovery.inspect.CheckpointSummary;
import io.flinkrecovery.inspect.OrphanReport;
import io.flinkrecovery.inspect.RestoreInspector;
import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectStore;
import io.flinkrecovery.storage.S3CheckpointStorage;
import io.flinkrecovery.testing.EmbeddedS3Extension;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Orphan collection with {@code delete} runs again and again while the job keeps checkpointing, and
 * never deletes an object that a checkpoint references: every retained checkpoint stays valid and
 * the job restores from the newest one exactly once. An injected orphan older than the grace period
 * is deleted.
 */
class OrphanCollectionITCase {

    private static final Duration GRACE = Duration.ofSeconds(4);
    private static final int RETAINED = 2;

    @RegisterExtension
    @Order(1)
    static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("it-orphans");

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    () ->
                            TestClusters.miniCluster(
                                    S3,
                                    2,
                                    Map.of(
                                            "execution.checkpointing.num-retained",
                                            Integer.toString(RETAINED))));

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"incremental-heap", "rocksdb-incremental"})
    void collectingWhileCheckpointingNeverDeletesAReferencedObject(
            String backend, @InjectMiniCluster MiniCluster flink) throws Exception {
        String runId = "orphans-" + backend;
        Configuration config = TestClusters.s3Storage(S3, runId);
        TestClusters.useBackend(config, backend);
        config.setString("recovery.storage.inline-threshold", "100b");
        ObjectStore store = S3CheckpointStorage.fromConfig(config).objectStore();
        RestoreInspector inspector = new RestoreInspector(store);
        RunningTotalsJob job =
                RunningTotalsJob.builder(runId)
                        .events(40_000)
                        .keys(300)
                        .eventsPerSecond(2_000)
                        .build();

        JobID first = JobRuns.start(config, job, 2);
        Checkpoints.awaitStats(flink, first, "2 checkpoints", s -> Checkpoints.completed(s) >= 2);
        String jobDir = TestClusters.checkpointDir(S3, runId) + "/" + first;
        ObjectLocation orphan = ObjectLocation.parse(jobDir + "/shared/planted-orphan");
        store.put(orphan, new byte[] {1});
        Instant plantedAt = Instant.now();

        int runs = 0;
        long deleted = 0;
        Instant until = Instant.now().plus(GRACE).plusSeconds(4);
        while (Instant.now().isBefore(until)) {
            try {
                OrphanReport report = inspector.orphans(jobDir, GRACE, true, Instant.now());
                deleted += report.orphans().size();
                runs++;
            } catch (java.io.IOException e) {
                // Checkpoints subsumed under our feet five times in a row: nothing was deleted.
                assertThat(e).hasMessageContaining("so nothing was deleted");
            }
        }
        flink.cancelJob(first).get();
        JobRuns.awaitStatus(flink, first, JobStatus.CANCELED);

        assertThat(runs).isGreaterThan(3);
        assertThat(store.head(orphan))
                .as("planted at %s, older than the grace", plantedAt)
                .isEmpty();
        assertThat(deleted).isGreaterThanOrEqualTo(1);
        String latest = null;
        int retained = 0;
        for (CheckpointSummary checkpoint : inspector.list(jobDir)) {
            // Flink may still be discarding a subsumed checkpoint after the cancellation: only
            // the newest RETAINED are its to keep.
            if (checkpoint.status() == CheckpointSummary.Status.COMPLETED
                    && retained++ < RETAINED) {
                assertThat(inspector.validate(checkpoint.pointer(), true).findings())
                        .as(checkpoint.pointer())
                        .isEmpty();
                latest = latest == null ? checkpoint.pointer() : latest;
            }
        }
        assertThat(latest).isNotNull();

        Configuration restore = new Configuration(config);
        restore.setString("execution.state-recovery.path", latest);
        JobID second = JobRuns.start(restore, job, 2);
        JobRuns.awaitStatus(flink, second, JobStatus.FINISHED);
        assertThat(ExpectedTotals.mismatches(job.expected(), job.results())).isEmpty();
    }
}
