package io.flinkrecovery.backend.restore;

import org.apache.flink.core.fs.CloseableRegistry;
import org.apache.flink.runtime.state.StreamStateHandle;

import io.flinkrecovery.backend.snapshot.BlockRef;
import io.flinkrecovery.backend.snapshot.RestoredSegments;

import javax.annotation.Nullable;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

/**
 * The ranged reads of one restore: which blocks each fetches (near blocks of one segment together),
 * in what order, and the tasks that fetch them.
 */
final class RangedReads {

    /** Blocks of one segment are read together up to this many bytes. */
    static final int MAX_READ_BYTES = 8 * 1024 * 1024;

    /**
     * Blocks of one segment this close are read together, gap included: reading 1 MB costs less
     * than the latency of another request on S3 (tens of milliseconds). Gaps are blocks that later
     * checkpoints superseded.
     */
    static final int MAX_GAP_BYTES = 1024 * 1024;

    private RangedReads() {}

    /**
     * Groups the blocks into ranged reads and orders them: first those that a key group applied
     * before the task runs needs ({@code neededBeforeStart}, by key group index), each group by the
     * first key group it serves, so that key groups can be applied while later ones are still being
     * read.
     */
    static List<Read> plan(
            Map<String, List<Located>> blocksBySegment,
            Map<String, StreamStateHandle> segments,
            IntPredicate neededBeforeStart) {
        List<Read> reads = new ArrayList<>();
        for (Map.Entry<String, List<Located>> entry : blocksBySegment.entrySet()) {
            List<Located> blocks = entry.getValue();
            blocks.sort((a, b) -> Long.compare(a.block.offset(), b.block.offset()));
            Read current = null;
            for (Located located : blocks) {
                BlockRef block = located.block;
                long gap =
                        current == null ? -1 : block.offset() - (current.offset + current.length);
                if (current == null
                        || gap < 0
                        || gap > MAX_GAP_BYTES
                        || current.length + gap + block.length() > MAX_READ_BYTES) {
                    current =
                            new Read(entry.getKey(), segments.get(entry.getKey()), block.offset());
                    reads.add(current);
                    gap = 0;
                }
                current.blocks.add(located);
                current.length += gap + block.length();
                current.firstKeyGroupIndex =
                        Math.min(current.firstKeyGroupIndex, located.keyGroupIndex);
                current.neededBeforeStart |= neededBeforeStart.test(located.keyGroupIndex);
                current.unapplied.incrementAndGet();
            }
        }
        reads.sort(
                Comparator.comparing((Read read) -> !read.neededBeforeStart)
                        .thenComparingInt(read -> read.firstKeyGroupIndex));
        return reads;
    }

    /** A block to read, and the index in the range of the key group it belongs to. */
    static final class Located {
        final BlockRef block;
        final int keyGroupIndex;

        Located(BlockRef block, int keyGroupIndex) {
            this.block = block;
            this.keyGroupIndex = keyGroupIndex;
        }
    }

    /** One ranged read: adjacent blocks of one segment. */
    static final class Read {
        final String segment;
        final StreamStateHandle handle;
        final long offset;
        long length;
        final List<Located> blocks = new ArrayList<>();
        int firstKeyGroupIndex = Integer.MAX_VALUE;

        /** Whether a key group applied before the task runs needs it. */
        boolean neededBeforeStart;

        final AtomicInteger unapplied = new AtomicInteger();
        volatile Future<byte[]> data;
        volatile long readNanos;

        Read(String segment, StreamStateHandle handle, long offset) {
            this.segment = segment;
            this.handle = handle;
            this.offset = offset;
        }

        /**
         * The task that fetches this read into {@link #data}, registering its stream in {@code
         * streams}; with {@code downloads}, it also keeps what it read for a local copy.
         */
        FutureTask<byte[]> fetch(
                RangeReader reader,
                CloseableRegistry streams,
                @Nullable RestoredSegments downloads) {
            FutureTask<byte[]> fetch =
                    new FutureTask<>(
                            () -> {
                                long readStart = System.nanoTime();
                                byte[] bytes = reader.read(handle, offset, (int) length, streams);
                                readNanos = System.nanoTime() - readStart;
                                if (downloads != null) {
                                    downloads.write(segment, offset, bytes);
                                }
                                return bytes;
                            });
            data = fetch;
            return fetch;
        }
    }
}
