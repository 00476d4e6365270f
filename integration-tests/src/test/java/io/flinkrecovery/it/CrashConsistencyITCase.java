package io.flinkrecovery.it;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;

import io.flinkrecovery.objectstore.ObjectInfo;
import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.storage.S3CheckpointStorage;
import io.flinkrecovery.testing.EmbeddedS3Extension;
import io.flinkrecovery.testing.FaultInjector.Fault;
import io.flinkrecovery.testing.FaultInjector.Operation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.FileNotFoundException;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A checkpoint whose multipart upload fails midway (the server answers 500 to every part) never
 * gets a {@code _metadata} and leaves no object behind; the next checkpoint completes.
 */
class CrashConsistencyITCase {

    private static final int KEYS = 120_000;
    private static final int PAYLOAD_BYTES = 100;

    @RegisterExtension
    @Order(1)
    static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("it-crash");

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(() -> TestClusters.miniCluster(S3, 2));

    @Test
    void failedUploadNeverCommitsAndTheNextCheckpointDoes(@InjectMiniCluster MiniCluster flink)
            throws Exception {
        Configuration config = TestClusters.s3Storage(S3, "crash");
        config.setString("state.backend.type", "hashmap");
        config.setString("execution.checkpointing.interval", "1s");
        config.setString("execution.checkpointing.tolerable-failed-checkpoints", "100");
        config.setString("recovery.s3.upload.part-size", "5mb");
        config.setString("recovery.s3.retry.max-attempts", "2");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(2);
        env.fromSource(
                        new DataGeneratorSource<>(
                                i -> i,
                                Long.MAX_VALUE,
                                RateLimiterStrategy.perSecond(40_000),
                                Types.LONG),
                        WatermarkStrategy.noWatermarks(),
                        "numbers")
                .keyBy(i -> i % KEYS)
                .map(new PayloadPerKey())
                .sinkTo(new DiscardingSink<>());
        JobID job = env.executeAsync().getJobID();

        // Each subtask's full snapshot is above the 5 mb part size: a multipart upload.
        CheckpointStatsSnapshot big =
                Checkpoints.awaitStats(
                        flink,
                        job,
                        "a checkpoint with all keys",
                        s ->
                                s.getHistory().getLatestCompletedCheckpoint() != null
                                        && s.getHistory()
                                                        .getLatestCompletedCheckpoint()
                                                        .getStateSize()
                                                > (long) KEYS * PAYLOAD_BYTES);
        long completedBefore = Checkpoints.completed(big);
        long failedBefore = Checkpoints.failed(big);

        S3.faults().failAll(Operation.UPLOAD_PART, Fault.INTERNAL_ERROR);
        Checkpoints.awaitStats(
                flink, job, "a failed checkpoint", s -> Checkpoints.failed(s) > failedBefore);
        int injected = S3.faults().injectedCount();
        S3.faults().clear();
        CheckpointStatsSnapshot after =
                Checkpoints.awaitStats(
                        flink,
                        job,
                        "a checkpoint after the faults stop",
                        s -> Checkpoints.completed(s) > completedBefore + 1);
        flink.cancelJob(job).get();

        assertThat(injected).isGreaterThanOrEqualTo(2);
        List<Long> failed =
                Checkpoints.idsWithStatus(after, CheckpointStatsStatus.FAILED).stream()
                        .filter(
                                id ->
                                        id
                                                > big.getHistory()
                                                        .getLatestCompletedCheckpoint()
                                                        .getCheckpointId())
                        .collect(Collectors.toList());
        List<Long> completed = Checkpoints.idsWithStatus(after, CheckpointStatsStatus.COMPLETED);
        assertThat(failed).isNotEmpty();

        S3CheckpointStorage storage = S3CheckpointStorage.fromConfig(config);
        String jobDir = TestClusters.checkpointDir(S3, "crash") + "/" + job;
        Set<String> withMetadata;
        try (Stream<ObjectInfo> objects =
                storage.objectStore().list(ObjectLocation.parse(jobDir + "/"))) {
            withMetadata =
                    objects.map(o -> o.location().key())
                            .filter(k -> k.endsWith("/_metadata"))
                            .collect(Collectors.toSet());
        }
        for (long id : failed) {
            String chk = jobDir + "/chk-" + id;
            assertThat(withMetadata)
                    .as("failed checkpoint %s", id)
                    .noneMatch(k -> k.contains("/chk-" + id + "/"));
            try (Stream<ObjectInfo> left =
                    storage.objectStore().list(ObjectLocation.parse(chk + "/"))) {
                assertThat(left).as("objects of failed checkpoint %s", id).isEmpty();
            }
            assertThatThrownBy(() -> storage.resolveCheckpoint(chk))
                    .isInstanceOf(FileNotFoundException.class)
                    .hasMessageStartingWith("Cannot restore from " + chk);
        }
        // The newest completed checkpoint (retained on cancel) resolves.
        long newest = completed.stream().mapToLong(Long::longValue).max().orElseThrow();
        assertThat(storage.resolveCheckpoint(jobDir + "/chk-" + newest).getExternalPointer())
                .isEqualTo(jobDir + "/chk-" + newest);
        assertThat(S3.server().pendingMultipartUploads(S3.bucket()))
                .as("every failed multipart upload was aborted")
                .isEmpty();
    }

    /** Keeps a 100-byte payload per key, so the state is about KEYS × 100 bytes. */
    static final class PayloadPerKey extends RichMapFunction<Long, Long> {
        private transient ValueState<byte[]> payload;

        @Override
        public void open(OpenContext context) {
            payload =
                    getRuntimeContext()
                            .getState(new ValueStateDescriptor<>("payload", byte[].class));
        }

        @Override
        public Long map(Long value) throws Exception {
            byte[] bytes = new byte[PAYLOAD_BYTES];
            bytes[0] = (byte) value.longValue();
            payload.update(bytes);
            return value;
        }
    }
}
