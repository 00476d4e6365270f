package io.flinkrecovery.it;

import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.functions.sink.filesystem.BucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.PartFileInfo;
import org.apache.flink.streaming.api.functions.sink.filesystem.RollingPolicy;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.SimpleVersionedStringSerializer;

import io.flinkrecovery.examples.totals.Event;

import java.util.Locale;

/**
 * {@link AllStatesJob}'s input events as rows of text, written with Flink's {@code FileSink}: one
 * row per event, in one of {@value #BUCKETS} bucket directories by sequence. Buckets {@code
 * bucket-0} and {@code bucket-1} roll their files at every checkpoint; {@value #OPEN_BUCKET} keeps
 * a file open across checkpoints for {@link #OPEN_MILLIS} ms, so that checkpoints persist it and a
 * restore resumes it. A test reads the committed files back and finds every event exactly once.
 */
public final class EventRows {

    public static final int BUCKETS = 3;

    /** The bucket whose files stay open across checkpoints. */
    public static final String OPEN_BUCKET = "bucket-2";

    /** How long a file of {@link #OPEN_BUCKET} stays open: a few checkpoints. */
    public static final long OPEN_MILLIS = 5_000;

    private EventRows() {}

    /** The row of {@code event}: its sequence, key and amount. */
    public static String row(Event event) {
        return String.format(
                Locale.ROOT, "%07d,%d,%d", event.sequence(), event.key(), event.amount());
    }

    /** The bucket directory the row of the event with {@code sequence} goes to. */
    public static String bucketOf(long sequence) {
        return "bucket-" + sequence % BUCKETS;
    }

    /** A {@code FileSink} of rows below {@code directory}, such as {@code s3://bucket/out}. */
    static FileSink<String> sink(String directory) {
        return FileSink.forRowFormat(new Path(directory), new SimpleStringEncoder<String>())
                .withBucketAssigner(new Buckets())
                .withRollingPolicy(new RollOnCheckpointExceptOpenBucket())
                // Checks OPEN_MILLIS every second, not every minute (the default).
                .withBucketCheckInterval(1_000)
                .build();
    }

    /** Assigns a row to {@link #bucketOf} its sequence. */
    private static final class Buckets implements BucketAssigner<String, String> {

        private static final long serialVersionUID = 1L;

        @Override
        public String getBucketId(String row, Context context) {
            return bucketOf(Long.parseLong(row.substring(0, row.indexOf(','))));
        }

        @Override
        public SimpleVersionedSerializer<String> getSerializer() {
            return SimpleVersionedStringSerializer.INSTANCE;
        }
    }

    /**
     * Rolls every file at each checkpoint (as {@code OnCheckpointRollingPolicy} does), except those
     * of {@link #OPEN_BUCKET}, which roll once they have been open for {@link #OPEN_MILLIS} ms;
     * every file rolls at the end of input.
     */
    private static final class RollOnCheckpointExceptOpenBucket
            implements RollingPolicy<String, String> {

        private static final long serialVersionUID = 1L;

        @Override
        public boolean shouldRollOnCheckpoint(PartFileInfo<String> file) {
            return !OPEN_BUCKET.equals(file.getBucketId());
        }

        @Override
        public boolean shouldRollOnEvent(PartFileInfo<String> file, String row) {
            return false;
        }

        @Override
        public boolean shouldRollOnProcessingTime(PartFileInfo<String> file, long currentTime) {
            return OPEN_BUCKET.equals(file.getBucketId())
                    && currentTime - file.getCreationTime() >= OPEN_MILLIS;
        }
    }
}
