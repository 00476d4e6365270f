package io.flinkrecovery.backend;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.runtime.state.IncrementalRemoteKeyedStateHandle;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.SnappyStreamCompressionDecorator;
import org.apache.flink.runtime.state.UncompressedStreamCompressionDecorator;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;

import io.flinkrecovery.backend.snapshot.BlockCompression;
import io.flinkrecovery.backend.snapshot.BlockRef;
import io.flinkrecovery.backend.snapshot.Manifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Blocks stored compressed with {@code execution.checkpointing.snapshot-compression}: they are
 * smaller, their manifest says so, they restore (also rescaled), and a chain written while the
 * option was flipped between restarts mixes compressed and uncompressed blocks.
 */
class SnapshotCompressionTest {

    private static final ValueStateDescriptor<String> VALUE =
            new ValueStateDescriptor<>("value", StringSerializer.INSTANCE);
    private static final int KEYS = 2_000;

    @TempDir Path dir;
    private BackendHarness harness;
    private final List<IncrementalHeapKeyedStateBackend<Integer>> backends = new ArrayList<>();

    /** What the state holds, computed without the backend. */
    private final Map<Integer, String> model = new HashMap<>();

    @AfterEach
    void tearDown() throws Exception {
        for (IncrementalHeapKeyedStateBackend<Integer> backend : backends) {
            backend.close();
            backend.dispose();
        }
        harness.close();
    }

    @Test
    void compressedCheckpointStoresSmallerBlocksAndRestores() throws Exception {
        harness = new BackendHarness(dir);
        harness.setSnapshotCompression(true);
        IncrementalHeapKeyedStateBackend<Integer> backend = track(harness.create());
        // As Flink's StateSnapshotCompressionTest checks for its heap backend.
        assertThat(backend.getKeyGroupCompressionDecorator())
                .isSameAs(SnappyStreamCompressionDecorator.INSTANCE);
        put(backend, 0, KEYS, "first-");

        IncrementalRemoteKeyedStateHandle first = harness.completeCheckpoint(backend, 1);

        List<BlockRef> blocks = blocks(first);
        assertThat(manifestVersion(first)).isEqualTo(Manifest.VERSION);
        assertThat(blocks).hasSize(BackendHarness.MAX_PARALLELISM);
        assertThat(blocks)
                .allSatisfy(
                        block -> {
                            assertThat(block.compression()).isEqualTo(BlockCompression.SNAPPY);
                            assertThat(block.length()).isLessThan(block.rawLength() / 3);
                        });
        long stored = blocks.stream().mapToLong(BlockRef::length).sum();
        long raw = blocks.stream().mapToLong(BlockRef::rawLength).sum();
        assertThat(BackendHarness.segmentBytes(first)).isEqualTo(16 + stored);

        // The same state restored with the option off and written in full: the raw lengths.
        harness.setSnapshotCompression(false);
        IncrementalHeapKeyedStateBackend<Integer> uncompressed = track(harness.restore(first));
        assertThat(uncompressed.getKeyGroupCompressionDecorator())
                .isSameAs(UncompressedStreamCompressionDecorator.INSTANCE);
        IncrementalRemoteKeyedStateHandle full = harness.fullCheckpoint(uncompressed, 2);
        assertThat(blocks(full)).noneMatch(BlockRef::isCompressed);
        assertThat(manifestVersion(full)).isEqualTo(Manifest.VERSION);
        assertThat(BackendHarness.segmentBytes(full)).isEqualTo(16 + raw);
        assertThat(read(uncompressed)).isEqualTo(model).hasSize(KEYS);

        // Compressed deltas on top of the compressed base.
        put(backend, 0, 300, "second-");
        IncrementalRemoteKeyedStateHandle second = harness.checkpoint(backend, 3);
        assertThat(blocks(second).stream().filter(b -> !b.isBase()))
                .isNotEmpty()
                .anyMatch(BlockRef::isCompressed);
        assertThat(read(track(harness.restore(second)))).isEqualTo(model);
    }

    @Test
    void optionFlippedBetweenRestartsGivesMixedChainsThatRestoreAndRescale() throws Exception {
        harness = new BackendHarness(dir, IncrementalSnapshotTest.withoutCompaction());
        IncrementalHeapKeyedStateBackend<Integer> backend = track(harness.create());
        put(backend, 0, KEYS, "v0-");
        IncrementalRemoteKeyedStateHandle first = harness.completeCheckpoint(backend, 1);

        harness.setSnapshotCompression(true);
        IncrementalHeapKeyedStateBackend<Integer> compressing = track(harness.restore(first));
        put(compressing, 0, 600, "v1-");
        IncrementalRemoteKeyedStateHandle second = harness.completeCheckpoint(compressing, 2);

        harness.setSnapshotCompression(false);
        IncrementalHeapKeyedStateBackend<Integer> plain = track(harness.restore(second));
        put(plain, 0, 100, "v2-");
        clear(plain, 100, 150);
        IncrementalRemoteKeyedStateHandle third = harness.completeCheckpoint(plain, 3);

        int keyGroup = KeyGroupRangeAssignment.assignToKeyGroup(0, BackendHarness.MAX_PARALLELISM);
        List<BlockRef> chain = manifest(third).chain(keyGroup);
        assertThat(chain)
                .extracting(BlockRef::compression)
                .containsExactly(
                        BlockCompression.NONE, BlockCompression.SNAPPY, BlockCompression.NONE);
        assertThat(manifestVersion(third)).isEqualTo(Manifest.VERSION);

        harness.setSnapshotCompression(true);
        IncrementalHeapKeyedStateBackend<Integer> all = track(harness.restore(third));
        assertThat(read(all)).isEqualTo(model).hasSize(KEYS - 50);

        Map<Integer, String> rescaled = new HashMap<>();
        for (KeyGroupRange half : List.of(new KeyGroupRange(0, 63), new KeyGroupRange(64, 127))) {
            IncrementalHeapKeyedStateBackend<Integer> part =
                    track(harness.restore(half, List.<KeyedStateHandle>of(third)));
            assertThat(part.metrics().restore().readBytes())
                    .isLessThan(all.metrics().restore().readBytes());
            rescaled.putAll(read(part, half));
        }
        assertThat(rescaled).isEqualTo(model);
    }

    private IncrementalHeapKeyedStateBackend<Integer> track(
            IncrementalHeapKeyedStateBackend<Integer> backend) {
        backends.add(backend);
        return backend;
    }

    private static ValueState<String> value(IncrementalHeapKeyedStateBackend<Integer> backend)
            throws Exception {
        return backend.getPartitionedState(
                VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, VALUE);
    }

    /** Compressible values, as serialized records mostly are: a long common text and the key. */
    private void put(
            IncrementalHeapKeyedStateBackend<Integer> backend, int from, int to, String tag)
            throws Exception {
        ValueState<String> state = value(backend);
        for (int key = from; key < to; key++) {
            String v = tag + "customer-record-with-a-long-description-".repeat(4) + key;
            backend.setCurrentKey(key);
            state.update(v);
            model.put(key, v);
        }
    }

    private void clear(IncrementalHeapKeyedStateBackend<Integer> backend, int from, int to)
            throws Exception {
        ValueState<String> state = value(backend);
        for (int key = from; key < to; key++) {
            backend.setCurrentKey(key);
            state.clear();
            model.remove(key);
        }
    }

    private static Map<Integer, String> read(IncrementalHeapKeyedStateBackend<Integer> backend)
            throws Exception {
        return read(backend, new KeyGroupRange(0, BackendHarness.MAX_PARALLELISM - 1));
    }

    /** The values of the keys (of 0 to {@link #KEYS}) in the backend's key groups. */
    private static Map<Integer, String> read(
            IncrementalHeapKeyedStateBackend<Integer> backend, KeyGroupRange range)
            throws Exception {
        ValueState<String> state = value(backend);
        Map<Integer, String> result = new HashMap<>();
        for (int key = 0; key < KEYS; key++) {
            if (!range.contains(
                    KeyGroupRangeAssignment.assignToKeyGroup(
                            key, BackendHarness.MAX_PARALLELISM))) {
                continue;
            }
            backend.setCurrentKey(key);
            if (state.value() != null) {
                result.put(key, state.value());
            }
        }
        return result;
    }

    private static Manifest manifest(IncrementalRemoteKeyedStateHandle handle) throws Exception {
        return Manifest.read(
                handle.getMetaDataStateHandle(), SnapshotCompressionTest.class.getClassLoader());
    }

    private static List<BlockRef> blocks(IncrementalRemoteKeyedStateHandle handle)
            throws Exception {
        List<BlockRef> blocks = new ArrayList<>();
        manifest(handle).chains().forEach(blocks::addAll);
        return blocks;
    }

    private static int manifestVersion(IncrementalRemoteKeyedStateHandle handle) throws Exception {
        try (InputStream in = handle.getMetaDataStateHandle().openInputStream()) {
            DataInputStream data = new DataInputStream(in);
            data.readInt();
            return data.readInt();
        }
    }
}
