package io.flinkrecovery.it;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.BucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.SimpleVersionedStringSerializer;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.DefaultRollingPolicy;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;

import io.flinkrecovery.fs.S3FileSystem;
import io.flinkrecovery.inspect.RestoreInspector;
import io.flinkrecovery.objectstore.ObjectInfo;
import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectStore;
import io.flinkrecovery.objectstore.PendingUpload;
import io.flinkrecovery.objectstore.RequestCounters;
import io.flinkrecovery.objectstore.RequestKind;
import io.flinkrecovery.testing.EmbeddedS3Extension;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Flink's {@code FileSink} writes rows to {@code s3://} through our file system's recoverable
 * writer, rolling a file at every checkpoint, while the job fails three times: the committed files
 * hold every row exactly once, nothing else is visible in the output directory, and no multipart
 * upload is left pending once the inspector swept those of checkpoints the failures aborted. The
 * failures make Flink commit again what it had committed before the failure (FileSink always
 * commits after recovery), and close files that no checkpoint references, whose uploads the writer
 * aborts.
 */
class FileSinkExactlyOnceITCase {

    private static final int ROWS = 24_000;
    private static final int BUCKETS = 3;
    private static final int FAILURES = 3;

    @RegisterExtension
    @Order(1)
    static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("it-file-sink");

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(() -> TestClusters.miniCluster(S3, 2));

    /**
     * {@code on-checkpoint} rolls every file at each checkpoint, as the brief of FileSink's S3 docs
     * recommends; {@code rolling} keeps files open across checkpoints (size and time rolling), so
     * that every checkpoint persists them and each failure resumes them from their tails.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"on-checkpoint", "rolling"})
    void committedFilesHoldEveryRowExactlyOnceAfterThreeFailures(
            String rolling, @InjectMiniCluster MiniCluster flink) throws Exception {
        String runId = "file-sink-" + rolling;
        Configuration config = TestClusters.s3Storage(S3, runId);
        config.setString("state.backend.type", "hashmap");
        Path out = new Path("s3://" + S3.bucket() + "/" + runId + "/out");
        assertThat(out.getFileSystem()).isInstanceOf(S3FileSystem.class);
        ObjectStore store = ((S3FileSystem) out.getFileSystem()).objectStore();
        RequestCounters.Snapshot before = store.counters().snapshot();

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(2);
        env.fromSource(
                        new DataGeneratorSource<>(
                                index -> String.format("row-%06d", index),
                                ROWS,
                                RateLimiterStrategy.perSecond(3_000),
                                Types.STRING),
                        WatermarkStrategy.noWatermarks(),
                        "rows")
                .map(new FailTimes(runId, FAILURES, 1_500))
                .name("fail-three-times")
                .sinkTo(
                        FileSink.forRowFormat(out, new SimpleStringEncoder<String>())
                                .withBucketAssigner(new RowBuckets())
                                .withRollingPolicy(
                                        rolling.equals("rolling")
                                                ? DefaultRollingPolicy.builder()
                                                        .withRolloverInterval(Duration.ofSeconds(3))
                                                        .withInactivityInterval(
                                                                Duration.ofSeconds(3))
                                                        .withMaxPartSize(MemorySize.ofMebiBytes(1))
                                                        .build()
                                                : OnCheckpointRollingPolicy.build())
                                .build())
                .name("file-sink");
        JobID job = env.executeAsync(runId).getJobID();
        JobRuns.awaitStatus(flink, job, JobStatus.FINISHED);

        assertThat(FailTimes.failures(runId)).as("injected failures").isEqualTo(FAILURES);
        ObjectLocation outDir = ObjectLocation.parse(out.toUri()).child("");
        List<ObjectInfo> objects;
        try (Stream<ObjectInfo> listed = store.list(outDir)) {
            objects = listed.collect(Collectors.toList());
        }
        List<ObjectInfo> tails =
                objects.stream()
                        .filter(o -> o.location().name().startsWith("."))
                        .collect(Collectors.toList());
        objects.removeAll(tails);
        assertThat(objects)
                .as("only committed part files in bucket directories")
                .allSatisfy(
                        o ->
                                assertThat(o.location().key())
                                        .matches(".*/out/bucket-[0-2]/part-[0-9a-f-]+-[0-9]+"));
        assertThat(tails)
                .as("hidden tail objects of persisted in-progress files")
                .allSatisfy(
                        o ->
                                assertThat(o.location().name())
                                        .matches("\\.part-[0-9a-f-]+-[0-9]+\\.tail\\.[0-9a-f-]+"));
        if (rolling.equals("on-checkpoint")) {
            assertThat(tails).as("files rolled at every checkpoint are never persisted").isEmpty();
        }
        Map<String, Integer> copies = new TreeMap<>();
        for (ObjectInfo object : objects) {
            for (String row : rows(store, object.location())) {
                copies.merge(row, 1, Integer::sum);
                assertThat(object.location().parent().name())
                        .as("bucket of " + row)
                        .isEqualTo(RowBuckets.bucketOf(row));
            }
        }
        assertThat(copies).hasSize(ROWS);
        assertThat(copies.entrySet())
                .allSatisfy(e -> assertThat(e.getValue()).as(e.getKey()).isOne());
        assertThat(copies.keySet()).first().isEqualTo("row-000000");
        assertThat(copies.keySet()).last().isEqualTo(String.format("row-%06d", ROWS - 1));
        // A failure between the snapshot that closed a file for commit and that checkpoint's
        // completion leaves the file's upload pending: only the aborted checkpoint knew it. Flink's
        // own S3 file systems leave these too; the inspector's sweep (or a lifecycle rule) aborts
        // them. They must never be files that were committed.
        List<String> committed =
                objects.stream().map(o -> o.location().key()).collect(Collectors.toList());
        List<String> leftPending = pendingUploads(runId);
        assertThat(leftPending).doesNotContainAnyElementsOf(committed);
        RestoreInspector inspector = new RestoreInspector(store);
        Instant sweepTime = Instant.now().plusSeconds(1);
        List<PendingUpload> aborted =
                inspector.abandonedUploads(outDir.toString(), Duration.ZERO, true, sweepTime);
        assertThat(aborted.stream().map(u -> u.location().key()).collect(Collectors.toList()))
                .containsExactlyInAnyOrderElementsOf(leftPending);
        assertThat(inspector.abandonedTails(outDir.toString(), Duration.ZERO, true, sweepTime))
                .hasSameSizeAs(tails);
        assertThat(store.list(outDir))
                .as("only committed files after the sweep")
                .hasSameSizeAs(objects);
        assertThat(pendingUploads(runId)).as("pending multipart uploads after the sweep").isEmpty();

        RequestCounters.Snapshot sent = store.counters().snapshot().minus(before);
        System.out.printf(
                "FileSink on s3:// (%s): %d rows in %d committed files after %d failures, %d"
                        + " uploads left pending by aborted checkpoints (swept), %d tail objects left;"
                        + " per committed file: %.2f parts, %.2f create/complete/abort, %.2f PUT (tails and"
                        + " checkpoint objects)%n",
                rolling,
                ROWS,
                objects.size(),
                FAILURES,
                leftPending.size(),
                tails.size(),
                (double) sent.requests(RequestKind.MULTIPART_PART) / objects.size(),
                (double) sent.requests(RequestKind.MULTIPART_CONTROL) / objects.size(),
                (double) sent.requests(RequestKind.PUT) / objects.size());
    }

    private static List<String> pendingUploads(String runId) {
        return S3.server().pendingMultipartUploads(S3.bucket()).stream()
                .filter(key -> key.startsWith(runId + "/"))
                .collect(Collectors.toList());
    }

    private static List<String> rows(ObjectStore store, ObjectLocation file) throws IOException {
        try (InputStream in = store.open(file)) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(text).as("whole lines in " + file).endsWith("\n");
            return text.lines().collect(Collectors.toList());
        }
    }

    /** Spreads rows over three bucket directories, so that each subtask has several open files. */
    private static final class RowBuckets implements BucketAssigner<String, String> {

        private static final long serialVersionUID = 1L;

        @Override
        public String getBucketId(String row, Context context) {
            return bucketOf(row);
        }

        static String bucketOf(String row) {
            return "bucket-" + Integer.parseInt(row.substring("row-".length())) % BUCKETS;
        }

        @Override
        public SimpleVersionedSerializer<String> getSerializer() {
            return SimpleVersionedStringSerializer.INSTANCE;
        }
    }

    /**
     * Passes rows through, and throws in subtask 0 once it has seen {@code afterRows} rows since it
     * (re)started and a checkpoint has completed since, until the run has failed {@code times}
     * times. The count is static, which works in an in-process MiniCluster.
     */
    private static final class FailTimes extends RichMapFunction<String, String>
            implements CheckpointListener {

        private static final long serialVersionUID = 1L;

        private static final Map<String, AtomicInteger> FAILURES = new ConcurrentHashMap<>();

        private final String runId;
        private final int times;
        private final long afterRows;

        private transient long seen;
        private transient boolean checkpointed;

        FailTimes(String runId, int times, long afterRows) {
            this.runId = runId;
            this.times = times;
            this.afterRows = afterRows;
        }

        static int failures(String runId) {
            return FAILURES.getOrDefault(runId, new AtomicInteger()).get();
        }

        @Override
        public void open(OpenContext openContext) {
            seen = 0;
            checkpointed = false;
        }

        @Override
        public String map(String row) {
            seen++;
            if (seen >= afterRows
                    && checkpointed
                    && getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
                AtomicInteger failures = FAILURES.computeIfAbsent(runId, r -> new AtomicInteger());
                if (failures.get() < times) {
                    throw new IllegalStateException(
                            "Injected failure "
                                    + failures.incrementAndGet()
                                    + " of "
                                    + times
                                    + " after "
                                    + seen
                                    + " rows");
                }
            }
            return row;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            checkpointed = true;
        }
    }
}
