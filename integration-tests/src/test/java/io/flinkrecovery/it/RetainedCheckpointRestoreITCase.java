package io.flinkrecovery.it;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;

import io.flinkrecovery.examples.totals.ExpectedTotals;
import io.flinkrecovery.examples.totals.RunningTotalsJob;
import io.flinkrecovery.objectstore.ObjectInfo;
import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectStore;
import io.flinkrecovery.storage.S3CheckpointStorage;
import io.flinkrecovery.testing.EmbeddedS3Extension;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Retained checkpoint → cancel → restore through {@code execution.state-recovery.path}, with
 * RocksDB incremental checkpoints (which share files between checkpoints) on our storage.
 */
class RetainedCheckpointRestoreITCase {

    @RegisterExtension
    @Order(1)
    static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("it-retained");

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(() -> TestClusters.miniCluster(S3, 2));

    @Test
    void claimHandsTheCheckpointToTheNewJobWhichDeletesWhatItSubsumes(
            @InjectMiniCluster MiniCluster flink) throws Exception {
        String runId = "claim";
        Configuration config = config(runId);
        Retained first = runAndCancel(flink, config, runId);

        config.setString("execution.state-recovery.path", first.pointer);
        config.setString("execution.state-recovery.claim-mode", "CLAIM");
        JobID second = JobRuns.start(config, job(runId), 2);

        // Once the restored checkpoint is subsumed, Flink deletes it and the shared files no
        // newer checkpoint uses, through our s3 file system.
        ObjectStore store = S3CheckpointStorage.fromConfig(config).objectStore();
        await().alias("the claimed checkpoint and some of its shared files are deleted")
                .atMost(TestClusters.TIMEOUT)
                .until(
                        () -> {
                            Map<String, Long> now = objects(store, first.jobDir);
                            return !now.containsKey(first.pointer + "/_metadata")
                                    && !now.keySet().containsAll(first.sharedFiles());
                        });
        assertThat(JobRuns.restoredFrom(flink, second).getExternalPath()).isEqualTo(first.pointer);
        JobRuns.awaitStatus(flink, second, JobStatus.FINISHED);
        assertThat(ExpectedTotals.mismatches(job(runId).expected(), job(runId).results()))
                .isEmpty();
    }

    @Test
    void noClaimLeavesTheOriginalCheckpointUntouched(@InjectMiniCluster MiniCluster flink)
            throws Exception {
        String runId = "no-claim";
        Configuration config = config(runId);
        Retained first = runAndCancel(flink, config, runId);

        config.setString("execution.state-recovery.path", first.pointer);
        config.setString("execution.state-recovery.claim-mode", "NO_CLAIM");
        JobID second = JobRuns.start(config, job(runId), 2);
        JobRuns.awaitStatus(flink, second, JobStatus.FINISHED);

        assertThat(JobRuns.restoredFrom(flink, second).getExternalPath()).isEqualTo(first.pointer);
        assertThat(ExpectedTotals.mismatches(job(runId).expected(), job(runId).results()))
                .isEmpty();
        ObjectStore store = S3CheckpointStorage.fromConfig(config).objectStore();
        assertThat(objects(store, first.jobDir))
                .as("every object of the restored checkpoint, with its size")
                .isEqualTo(first.objects);
    }

    private static Configuration config(String runId) {
        Configuration config = TestClusters.s3Storage(S3, runId);
        TestClusters.useBackend(config, "rocksdb-incremental");
        return config;
    }

    private static RunningTotalsJob job(String runId) {
        return RunningTotalsJob.builder(runId)
                .events(16_000)
                .keys(200)
                .eventsPerSecond(2_000)
                .build();
    }

    /** Runs the job until it has a few checkpoints, cancels it, and records what it left. */
    private static Retained runAndCancel(MiniCluster flink, Configuration config, String runId)
            throws Exception {
        JobID first = JobRuns.start(config, job(runId), 2);
        Checkpoints.awaitStats(flink, first, "4 checkpoints", s -> Checkpoints.completed(s) >= 4);
        flink.cancelJob(first).get();
        JobRuns.awaitStatus(flink, first, JobStatus.CANCELED);
        String pointer = Checkpoints.latestPointer(Checkpoints.stats(flink, first));
        String jobDir = TestClusters.checkpointDir(S3, runId) + "/" + first;
        Map<String, Long> objects =
                objects(S3CheckpointStorage.fromConfig(config).objectStore(), jobDir);
        assertThat(objects).containsKey(pointer + "/_metadata");
        return new Retained(pointer, jobDir, objects);
    }

    private static Map<String, Long> objects(ObjectStore store, String prefix) throws IOException {
        try (Stream<ObjectInfo> all = store.list(ObjectLocation.parse(prefix + "/"))) {
            return all.collect(Collectors.toMap(o -> o.location().toString(), ObjectInfo::size));
        }
    }

    /** A retained checkpoint: its pointer and every object of its job directory. */
    private static final class Retained {
        final String pointer;
        final String jobDir;
        final Map<String, Long> objects;

        Retained(String pointer, String jobDir, Map<String, Long> objects) {
            this.pointer = pointer;
            this.jobDir = jobDir;
            this.objects = objects;
        }

        Set<String> sharedFiles() {
            Set<String> shared =
                    objects.keySet().stream()
                            .filter(k -> k.startsWith(jobDir + "/shared/"))
                            .collect(Collectors.toSet());
            assertThat(shared).as("RocksDB incremental shared files").isNotEmpty();
            return shared;
        }
    }
}
