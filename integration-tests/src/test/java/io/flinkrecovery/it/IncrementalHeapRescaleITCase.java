package io.flinkrecovery.it;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;

import io.flinkrecovery.backend.snapshot.BlockRef;
import io.flinkrecovery.testing.EmbeddedS3Extension;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Retained checkpoint of the incremental heap backend → cancel → restore with another parallelism
 * of the keyed operator, up (2 → 4) and down (4 → 2): keyed state and timers move with their key
 * groups, operator list state is redistributed, and the result is exactly the reference.
 */
class IncrementalHeapRescaleITCase {

    @RegisterExtension
    @Order(1)
    static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("it-heap-rescale");

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(() -> TestClusters.miniCluster(S3, 4));

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({"2, 4", "4, 2"})
    void retainedCheckpointRestoresWithAnotherParallelism(
            int from, int to, @InjectMiniCluster MiniCluster flink) throws Exception {
        String runId = "rescale-" + from + "-to-" + to;
        Configuration config = TestClusters.s3Storage(S3, runId);
        TestClusters.useBackend(config, "incremental-heap");
        AllStatesJob job = AllStatesJob.of(runId, 16_000, 300, 2_000);
        job.reset();

        HeapRuns.Retained first = HeapRuns.runAndCancel(flink, config, job, from, 3);
        assertThat(job.operatorCounts(first.job(), AllStatesJob.STATES_UID))
                .as("subtasks of the keyed operator in the first run")
                .hasSize(from);

        config.setString("execution.state-recovery.path", first.pointer());
        JobID second = job.start(config, to);
        JobRuns.awaitStatus(flink, second, JobStatus.FINISHED);

        assertThat(JobRuns.restoredFrom(flink, second).getExternalPath())
                .isEqualTo(first.pointer());
        HeapRuns.assertExactlyOnce(job, second, to);
    }

    /**
     * {@code execution.checkpointing.snapshot-compression} on: the job fails twice and restores
     * from compressed checkpoints, the retained one passes the inspector's deep check (CRC32C of
     * the stored bytes, decompression), and it restores rescaled with the option off, so the next
     * checkpoints mix compressed and uncompressed blocks in one chain.
     */
    @Test
    void compressedCheckpointsSurviveFailuresAndRestoreRescaledWithoutCompression(
            @InjectMiniCluster MiniCluster flink) throws Exception {
        String runId = "rescale-compressed";
        Configuration config = TestClusters.s3Storage(S3, runId);
        TestClusters.useBackend(config, "incremental-heap");
        config.set(ExecutionOptions.SNAPSHOT_COMPRESSION, true);
        AllStatesJob job = AllStatesJob.of(runId, 16_000, 300, 2_000).failing(2, 2_500);
        job.reset();

        HeapRuns.Retained first = HeapRuns.runAndCancel(flink, config, job, 2, 4);
        assertThat(job.injectedFailures()).as("injected failures").isEqualTo(2);
        List<BlockRef> blocks = HeapRuns.blocks(first);
        assertThat(blocks).as("blocks of " + first.pointer()).anyMatch(BlockRef::isCompressed);
        assertThat(blocks.stream().filter(BlockRef::isCompressed))
                .allMatch(block -> block.length() < block.rawLength());

        config.set(ExecutionOptions.SNAPSHOT_COMPRESSION, false);
        config.setString("execution.state-recovery.path", first.pointer());
        JobID second = job.start(config, 4);
        JobRuns.awaitStatus(flink, second, JobStatus.FINISHED);

        assertThat(JobRuns.restoredFrom(flink, second).getExternalPath())
                .isEqualTo(first.pointer());
        HeapRuns.assertExactlyOnce(job, second, 4);
    }
}
