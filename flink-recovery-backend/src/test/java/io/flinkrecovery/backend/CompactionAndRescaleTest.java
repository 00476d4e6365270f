package io.flinkrecovery.backend;

import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.state.IncrementalRemoteKeyedStateHandle;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;

import io.flinkrecovery.backend.metrics.RestoreFigures;
import io.flinkrecovery.backend.metrics.SnapshotFigures;
import io.flinkrecovery.backend.snapshot.BlockRef;
import io.flinkrecovery.backend.snapshot.Manifest;
import io.flinkrecovery.backend.snapshot.SnapshotLayout;
import io.flinkrecovery.config.BackendOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Pins the compaction bounds over many checkpoints, and what a rescaled restore downloads. */
class CompactionAndRescaleTest {

    private static final ValueStateDescriptor<String> VALUE =
            new ValueStateDescriptor<>("value", StringSerializer.INSTANCE);
    private static final int KEYS = 2560;

    @TempDir Path dir;
    private final List<IncrementalHeapKeyedStateBackend<Integer>> backends = new ArrayList<>();
    private BackendHarness harness;

    @BeforeEach
    void setUp() throws Exception {
        harness = new BackendHarness(dir);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (IncrementalHeapKeyedStateBackend<Integer> backend : backends) {
            backend.close();
            backend.dispose();
        }
        harness.close();
    }

    private static IncrementalHeapStateBackend backend(int maxDeltas, double amplification) {
        return backend(maxDeltas, amplification, 1);
    }

    private static IncrementalHeapStateBackend backend(
            int maxDeltas, double amplification, int rewriteInterval) {
        Configuration config = new Configuration();
        config.set(BackendOptions.COMPACTION_MAX_DELTAS, maxDeltas);
        config.set(BackendOptions.COMPACTION_MAX_SPACE_AMPLIFICATION, amplification);
        config.set(BackendOptions.COMPACTION_REWRITE_INTERVAL, rewriteInterval);
        return new IncrementalHeapStateBackend()
                .configure(config, CompactionAndRescaleTest.class.getClassLoader());
    }

    private static void update(
            IncrementalHeapKeyedStateBackend<Integer> backend, Iterable<Integer> keys, String value)
            throws Exception {
        ValueState<String> state =
                backend.getPartitionedState(
                        VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, VALUE);
        for (int key : keys) {
            backend.setCurrentKey(key);
            state.update(value);
        }
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> keys = new ArrayList<>();
        for (int key = from; key < to; key++) {
            keys.add(key);
        }
        return keys;
    }

    /** Runs {@code checkpoints} confirmed checkpoints, each updating {@code churn} of the keys. */
    private double maxAmplificationSeen;

    private int maxDeltasSeen;

    private int compactedKeyGroupsSeen;

    private List<Long> run(int maxDeltas, double amplification, double churn, int checkpoints)
            throws Exception {
        harness.close();
        harness = new BackendHarness(dir, backend(maxDeltas, amplification));
        IncrementalHeapKeyedStateBackend<Integer> backend = harness.create();
        backends.add(backend);
        update(backend, range(0, KEYS), "v".repeat(100));
        harness.completeCheckpoint(backend, 1);
        Random random = new Random(42);
        List<Long> uploads = new ArrayList<>();
        for (long id = 2; id < 2 + checkpoints; id++) {
            List<Integer> changed = new ArrayList<>();
            for (int i = 0; i < KEYS * churn; i++) {
                changed.add(random.nextInt(KEYS));
            }
            update(backend, changed, "u".repeat(100));
            SnapshotLayout previous = backend.history().confirmed();
            IncrementalRemoteKeyedStateHandle handle = harness.completeCheckpoint(backend, id);
            uploads.add(BackendHarness.segmentBytes(handle));

            SnapshotLayout layout = backend.history().confirmed();
            assertFiguresDescribe(backend.metrics().checkpoint(), handle, previous, layout);
            Manifest live = liveBytes(backend, 1000 + id);
            for (int kg = 0; kg < BackendHarness.MAX_PARALLELISM; kg++) {
                List<BlockRef> chain = layout.chain(kg);
                assertThat(chain.size() - 1)
                        .as("deltas of key group %s", kg)
                        .isLessThanOrEqualTo(maxDeltas);
                long kept = chain.stream().mapToLong(BlockRef::length).sum();
                long base = live.chain(kg).get(0).length();
                maxAmplificationSeen = Math.max(maxAmplificationSeen, (double) kept / base);
                maxDeltasSeen = Math.max(maxDeltasSeen, chain.size() - 1);
                assertThat((double) kept / base)
                        .as("space amplification of key group %s after checkpoint %s", kg, id)
                        .isLessThanOrEqualTo(amplification * 1.05);
            }
        }
        return uploads;
    }

    /** The checkpoint metrics say what the handle and the chains say, compaction included. */
    private void assertFiguresDescribe(
            SnapshotFigures figures,
            IncrementalRemoteKeyedStateHandle handle,
            SnapshotLayout previous,
            SnapshotLayout layout) {
        assertThat(figures.checkpointId()).isEqualTo(handle.getCheckpointId());
        assertThat(figures.uploadedBytes()).isEqualTo(handle.getCheckpointedSize());
        assertThat(figures.segmentBytes()).isEqualTo(BackendHarness.segmentBytes(handle));
        assertThat(figures.manifestBytes())
                .isEqualTo(handle.getMetaDataStateHandle().getStateSize());
        assertThat(figures.reusedBytes())
                .isEqualTo(handle.getStateSize() - handle.getCheckpointedSize());
        assertThat(figures.chainBytes()).isEqualTo(layout.blockBytes());
        int maxDepth = 0;
        long blocks = 0;
        long compacted = 0;
        int compactedKeyGroups = 0;
        for (int kg = 0; kg < BackendHarness.MAX_PARALLELISM; kg++) {
            List<BlockRef> chain = layout.chain(kg);
            maxDepth = Math.max(maxDepth, chain.size());
            blocks += chain.size();
            List<BlockRef> before = previous.chain(kg);
            if (chain.size() == 1 && !before.isEmpty() && !before.contains(chain.get(0))) {
                compacted += chain.get(0).length();
                compactedKeyGroups++;
            }
        }
        assertThat(figures.keyGroups()).isEqualTo(BackendHarness.MAX_PARALLELISM);
        assertThat(figures.maxChainDepth()).isEqualTo(maxDepth);
        assertThat(figures.meanChainDepth())
                .isEqualTo(blocks / (double) BackendHarness.MAX_PARALLELISM);
        assertThat(figures.compactedBytes()).isEqualTo(compacted);
        assertThat(figures.compactedKeyGroups()).isEqualTo(compactedKeyGroups);
        compactedKeyGroupsSeen += compactedKeyGroups;
    }

    /** A native savepoint writes a fresh base of every key group: the live bytes. */
    private Manifest liveBytes(IncrementalHeapKeyedStateBackend<Integer> backend, long id)
            throws Exception {
        IncrementalRemoteKeyedStateHandle savepoint = harness.nativeSavepoint(backend, id);
        return Manifest.read(savepoint.getMetaDataStateHandle(), getClass().getClassLoader());
    }

    @Test
    void deltasPerKeyGroupStayBoundedWithoutFullSizeSpikes() throws Exception {
        List<Long> uploads = run(4, 2.0, 0.2, 30);
        assertThat(maxDeltasSeen).isEqualTo(4);
        assertThat(compactedKeyGroupsSeen).as("compactions the metrics counted").isPositive();
        List<Long> steady = new ArrayList<>(uploads.subList(10, uploads.size()));
        Collections.sort(steady);
        long median = steady.get(steady.size() / 2);
        // Rewrites are spread out: no checkpoint uploads much more than a typical one.
        assertThat(steady.get(steady.size() - 1)).isLessThanOrEqualTo(2 * median);
    }

    @Test
    void spaceAmplificationStaysBounded() throws Exception {
        run(1000, 2.0, 0.03, 60);
        // The bound was reached, not just never approached.
        assertThat(maxAmplificationSeen).isGreaterThan(1.8);
        assertThat(maxDeltasSeen).isLessThan(60);
    }

    @Test
    void mapStateUploadsWhatChangedAndCompactsAtItsUsualRate() throws Exception {
        MapStateDescriptor<Integer, String> entries =
                new MapStateDescriptor<>(
                        "entries", IntSerializer.INSTANCE, StringSerializer.INSTANCE);
        IncrementalHeapKeyedStateBackend<Integer> backend = harness.create();
        backends.add(backend);
        MapState<Integer, String> map =
                backend.getPartitionedState(
                        VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, entries);
        int keys = 256;
        int userKeys = 200;
        for (int key = 0; key < keys; key++) {
            backend.setCurrentKey(key);
            for (int userKey = 0; userKey < userKeys; userKey++) {
                map.put(userKey, "v".repeat(100));
            }
        }
        harness.completeCheckpoint(backend, 1);
        // 1% of the user entries per checkpoint: every map changes in about two entries.
        Random random = new Random(7);
        List<Double> ratios = new ArrayList<>();
        for (long id = 2; id < 32; id++) {
            int changes = keys * userKeys / 100;
            for (int i = 0; i < changes; i++) {
                backend.setCurrentKey(random.nextInt(keys));
                map.put(random.nextInt(userKeys), "u".repeat(100));
            }
            long uploaded = BackendHarness.segmentBytes(harness.completeCheckpoint(backend, id));
            // Key (4 B), user key (4 B), value (2 + 100 B): what changed.
            ratios.add(uploaded / (changes * 110.0));
        }
        Collections.sort(ratios);
        double median = ratios.get(ratios.size() / 2);
        double mean = ratios.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertThat(median).as("median upload over changed, %s", ratios).isLessThan(1.5);
        assertThat(mean).as("mean upload over changed, %s", ratios).isLessThan(3);
    }

    @Test
    void rescaledSubtasksDownloadOnlyTheirKeyGroups() throws Exception {
        KeyGroupRange left = new KeyGroupRange(0, 63);
        KeyGroupRange right = new KeyGroupRange(64, 127);
        List<KeyedStateHandle> handles = new ArrayList<>();
        long written = 0;
        for (KeyGroupRange range : List.of(left, right)) {
            IncrementalHeapKeyedStateBackend<Integer> backend = harness.restore(range, List.of());
            backends.add(backend);
            List<Integer> own = new ArrayList<>();
            for (int key : range(0, KEYS)) {
                if (range.contains(
                        KeyGroupRangeAssignment.assignToKeyGroup(
                                key, BackendHarness.MAX_PARALLELISM))) {
                    own.add(key);
                }
            }
            update(backend, own, "v".repeat(100));
            IncrementalRemoteKeyedStateHandle handle = harness.completeCheckpoint(backend, 1);
            written += BackendHarness.segmentBytes(handle);
            handles.add(handle);
        }

        long downloaded = 0;
        for (int i = 0; i < 4; i++) {
            KeyGroupRange range =
                    KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(
                            BackendHarness.MAX_PARALLELISM, 4, i);
            IncrementalHeapKeyedStateBackend<Integer> restored = harness.restore(range, handles);
            backends.add(restored);
            long expected = 0;
            for (KeyedStateHandle handle : handles) {
                Manifest manifest =
                        Manifest.read(
                                ((IncrementalRemoteKeyedStateHandle) handle)
                                        .getMetaDataStateHandle(),
                                getClass().getClassLoader());
                for (int kg = range.getStartKeyGroup(); kg <= range.getEndKeyGroup(); kg++) {
                    if (manifest.keyGroupRange().contains(kg)) {
                        expected += manifest.chain(kg).stream().mapToLong(BlockRef::length).sum();
                    }
                }
            }
            RestoreFigures figures = restored.metrics().restore();
            assertThat(figures.checkpointId()).isEqualTo(1);
            assertThat(figures.blockBytes()).isEqualTo(expected);
            assertThat(figures.blockBytes()).isLessThan(written * 3 / 10);
            // Both manifests, and the blocks: they lie side by side, so no gap is read.
            long manifests = 0;
            for (KeyedStateHandle handle : handles) {
                manifests +=
                        ((IncrementalRemoteKeyedStateHandle) handle)
                                .getMetaDataStateHandle()
                                .getStateSize();
            }
            assertThat(figures.readBytes()).isEqualTo(manifests + expected);
            assertThat(restored.numKeyValueStateEntries())
                    .isBetween(KEYS / 4 - 100, KEYS / 4 + 100);
            downloaded += figures.blockBytes();
        }
        // The segments hold a 16-byte header each besides the blocks.
        assertThat(downloaded).isEqualTo(written - 2 * 16);
    }
}
