package io.flinkrecovery.backend;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReducingState;
import org.apache.flink.api.common.state.ReducingStateDescriptor;
import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.state.IncrementalRemoteKeyedStateHandle;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.KeyGroupedInternalPriorityQueue;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.filesystem.FileStateHandle;
import org.apache.flink.runtime.state.internal.InternalListState;
import org.apache.flink.streaming.api.operators.TimerHeapInternalTimer;
import org.apache.flink.streaming.api.operators.TimerSerializer;
import org.apache.flink.util.FlinkRuntimeException;

import io.flinkrecovery.backend.snapshot.BlockRef;
import io.flinkrecovery.backend.snapshot.Manifest;
import io.flinkrecovery.backend.snapshot.TrackedStates;
import io.flinkrecovery.config.BackendOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The incremental path, which Flink's suites never exercise because they never confirm a
 * checkpoint: deltas, the sharing discipline, every tracked write path, and corruption detection.
 */
class IncrementalSnapshotTest {

    private static final ValueStateDescriptor<String> VALUE =
            new ValueStateDescriptor<>("value", StringSerializer.INSTANCE);
    private static final String PAYLOAD = "x".repeat(100);

    @TempDir Path dir;
    private BackendHarness harness;
    private final List<IncrementalHeapKeyedStateBackend<Integer>> backends = new ArrayList<>();

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

    private IncrementalHeapKeyedStateBackend<Integer> track(
            IncrementalHeapKeyedStateBackend<Integer> backend) {
        backends.add(backend);
        return backend;
    }

    private IncrementalHeapKeyedStateBackend<Integer> create() throws Exception {
        return track(harness.create());
    }

    private IncrementalHeapKeyedStateBackend<Integer> restore(
            IncrementalRemoteKeyedStateHandle handle) throws Exception {
        return track(harness.restore(handle));
    }

    private static <S extends State> S inVoidNamespace(
            IncrementalHeapKeyedStateBackend<Integer> backend, StateDescriptor<S, ?> descriptor)
            throws Exception {
        return backend.getPartitionedState(
                VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, descriptor);
    }

    private static ValueState<String> value(IncrementalHeapKeyedStateBackend<Integer> backend)
            throws Exception {
        return inVoidNamespace(backend, VALUE);
    }

    private static void put(
            IncrementalHeapKeyedStateBackend<Integer> backend, int from, int to, String value)
            throws Exception {
        ValueState<String> state = value(backend);
        for (int key = from; key < to; key++) {
            backend.setCurrentKey(key);
            state.update(value + key);
        }
    }

    private static Map<Integer, String> read(
            IncrementalHeapKeyedStateBackend<Integer> backend, int keys) throws Exception {
        ValueState<String> state = value(backend);
        Map<Integer, String> result = new HashMap<>();
        for (int key = 0; key < keys; key++) {
            backend.setCurrentKey(key);
            if (state.value() != null) {
                result.put(key, state.value());
            }
        }
        return result;
    }

    @Test
    void confirmedCheckpointMakesTheNextSegmentHoldOnlyTheChanges() throws Exception {
        IncrementalHeapKeyedStateBackend<Integer> backend = create();
        put(backend, 0, 1000, PAYLOAD);
        IncrementalRemoteKeyedStateHandle first = harness.completeCheckpoint(backend, 1);

        put(backend, 0, 10, "changed");
        IncrementalRemoteKeyedStateHandle second = harness.checkpoint(backend, 2);

        long full = BackendHarness.segmentBytes(first);
        long delta = BackendHarness.segmentBytes(second);
        // 10 of 1000 entries changed; each delta entry is about 20 bytes plus block headers.
        assertThat(full).isGreaterThan(100_000);
        assertThat(delta).isLessThan(full / 50);
        assertThat(BackendHarness.segments(second)).containsAll(BackendHarness.segments(first));

        Map<Integer, String> expected = read(backend, 1000);
        assertThat(read(restore(second), 1000)).isEqualTo(expected).hasSize(1000);
    }

    @Test
    void restoreFromAChainOfBaseAndDeltasWithTombstones() throws Exception {
        harness.close();
        harness = new BackendHarness(dir, withoutCompaction());
        IncrementalHeapKeyedStateBackend<Integer> backend = create();
        put(backend, 0, 300, "v0-");
        harness.completeCheckpoint(backend, 1);
        put(backend, 0, 50, "v1-");
        harness.completeCheckpoint(backend, 2);
        ValueState<String> state = value(backend);
        for (int key = 40; key < 120; key++) {
            backend.setCurrentKey(key);
            state.clear();
        }
        harness.completeCheckpoint(backend, 3);
        put(backend, 100, 110, "v3-");
        put(backend, 300, 320, "new-");
        IncrementalRemoteKeyedStateHandle last = harness.checkpoint(backend, 4);

        assertThat(chainLengths(backend, last)).contains(4);
        Map<Integer, String> expected = read(backend, 400);
        assertThat(expected).hasSize(300 - 80 + 10 + 20);
        assertThat(read(restore(last), 400)).isEqualTo(expected);
    }

    @Test
    void unconfirmedCheckpointsChangesGoIntoTheNextDelta() throws Exception {
        IncrementalHeapKeyedStateBackend<Integer> backend = create();
        put(backend, 0, 100, "v0-");
        IncrementalRemoteKeyedStateHandle first = harness.completeCheckpoint(backend, 1);
        put(backend, 0, 1, "a-");
        IncrementalRemoteKeyedStateHandle second = harness.checkpoint(backend, 2);
        backend.notifyCheckpointAborted(2);
        put(backend, 1, 2, "b-");
        IncrementalRemoteKeyedStateHandle third = harness.checkpoint(backend, 3);

        // The third may reference the confirmed first, never the unconfirmed second.
        assertThat(BackendHarness.segments(third))
                .containsAll(BackendHarness.segments(first))
                .doesNotContainAnyElementsOf(newSegments(second, first));
        Map<Integer, String> restored = read(restore(third), 100);
        assertThat(restored).containsEntry(0, "a-0").containsEntry(1, "b-1").hasSize(100);
    }

    @Test
    void fullCheckpointReferencesNothingOld() throws Exception {
        IncrementalHeapKeyedStateBackend<Integer> backend = create();
        put(backend, 0, 100, "v0-");
        IncrementalRemoteKeyedStateHandle first = harness.completeCheckpoint(backend, 1);
        put(backend, 0, 5, "v1-");
        IncrementalRemoteKeyedStateHandle full = harness.fullCheckpoint(backend, 2);

        assertThat(BackendHarness.segments(full))
                .hasSize(1)
                .doesNotContainAnyElementsOf(BackendHarness.segments(first));
        assertThat(read(restore(full), 100)).isEqualTo(read(backend, 100));
    }

    @Test
    void nativeSavepointIsSelfContainedAndLeavesTheChangesForTheNextCheckpoint() throws Exception {
        IncrementalHeapKeyedStateBackend<Integer> backend = create();
        put(backend, 0, 100, "v0-");
        IncrementalRemoteKeyedStateHandle first = harness.completeCheckpoint(backend, 1);
        put(backend, 0, 5, "v1-");
        IncrementalRemoteKeyedStateHandle savepoint = harness.nativeSavepoint(backend, 2);
        backend.notifyCheckpointComplete(2);
        IncrementalRemoteKeyedStateHandle next = harness.checkpoint(backend, 3);

        assertThat(BackendHarness.segments(savepoint))
                .hasSize(1)
                .doesNotContainAnyElementsOf(BackendHarness.segments(first));
        assertThat(savepoint.getSharedState().get(0).getHandle())
                .isNotInstanceOf(org.apache.flink.runtime.state.PlaceholderStreamStateHandle.class);
        // The savepoint did not become the base, and its changes are in the next delta.
        assertThat(BackendHarness.segments(next))
                .containsAll(BackendHarness.segments(first))
                .doesNotContainAnyElementsOf(BackendHarness.segments(savepoint));
        Map<Integer, String> expected = read(backend, 100);
        assertThat(read(restore(savepoint), 100)).isEqualTo(expected);
        assertThat(read(restore(next), 100)).isEqualTo(expected);
    }

    @Test
    void restoredCheckpointIsTheBaseOfTheNextOne() throws Exception {
        IncrementalHeapKeyedStateBackend<Integer> backend = create();
        put(backend, 0, 500, PAYLOAD);
        IncrementalRemoteKeyedStateHandle first = harness.completeCheckpoint(backend, 1);

        IncrementalHeapKeyedStateBackend<Integer> restored = restore(first);
        put(restored, 0, 2, "after-restore-");
        IncrementalRemoteKeyedStateHandle next = harness.checkpoint(restored, 2);

        assertThat(BackendHarness.segmentBytes(next))
                .isLessThan(BackendHarness.segmentBytes(first) / 50);
        assertThat(read(restore(next), 500)).isEqualTo(read(restored, 500));
    }

    /** Without deferral a corrupt block fails the restore itself. */
    @Test
    void corruptBlockFailsTheRestoreNamingSegmentAndKeyGroup() throws Exception {
        Configuration config = new Configuration();
        config.set(BackendOptions.RESTORE_DEFERRED, false);
        harness.close();
        harness =
                new BackendHarness(
                        dir,
                        new IncrementalHeapStateBackend()
                                .configure(config, getClass().getClassLoader()));
        int keyGroup = KeyGroupRangeAssignment.assignToKeyGroup(7, BackendHarness.MAX_PARALLELISM);
        IncrementalRemoteKeyedStateHandle handle = checkpointWithCorruptBase(keyGroup);

        assertThatThrownBy(() -> restore(handle))
                .hasStackTraceContaining(corruptBaseMessage(handle, keyGroup));
    }

    /**
     * With deferral (the default) the restore returns before it fetches a block without timers; the
     * corrupt block fails its key group's first access and, from the background thread, the task.
     */
    @Test
    void corruptBlockFailsItsDeferredKeyGroupAndTheTask() throws Exception {
        int keyGroup = KeyGroupRangeAssignment.assignToKeyGroup(7, BackendHarness.MAX_PARALLELISM);
        IncrementalRemoteKeyedStateHandle handle = checkpointWithCorruptBase(keyGroup);
        String corrupt = corruptBaseMessage(handle, keyGroup);
        harness.env().setExpectedExternalFailureCause(FlinkRuntimeException.class);

        IncrementalHeapKeyedStateBackend<Integer> restored = restore(handle);
        restored.setCurrentKey(7);
        ValueState<String> state = value(restored);

        assertThatThrownBy(state::value)
                .hasMessageContaining("restored state of key group " + keyGroup)
                .hasStackTraceContaining(corrupt);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (harness.env().getActualExternalFailureCause().isEmpty()
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(harness.env().getActualExternalFailureCause())
                .get()
                .satisfies(e -> assertThat(e).hasStackTraceContaining(corrupt));
    }

    /** What a restore says of the corrupt base of {@code keyGroup}: it names the segment. */
    private String corruptBaseMessage(IncrementalRemoteKeyedStateHandle handle, int keyGroup)
            throws Exception {
        String segment =
                Manifest.read(handle.getMetaDataStateHandle(), getClass().getClassLoader())
                        .chain(keyGroup)
                        .get(0)
                        .segment();
        return "Corrupt base of key group " + keyGroup + " in segment " + segment;
    }

    /** A checkpoint of 100 keys whose base of {@code keyGroup} has its last byte flipped. */
    private IncrementalRemoteKeyedStateHandle checkpointWithCorruptBase(int keyGroup)
            throws Exception {
        IncrementalHeapKeyedStateBackend<Integer> backend = create();
        put(backend, 0, 100, "v0-");
        IncrementalRemoteKeyedStateHandle handle = harness.completeCheckpoint(backend, 1);
        Manifest manifest =
                Manifest.read(handle.getMetaDataStateHandle(), getClass().getClassLoader());
        BlockRef block = manifest.chain(keyGroup).get(0);
        FileStateHandle segment = (FileStateHandle) handle.getSharedState().get(0).getHandle();
        try (RandomAccessFile file =
                new RandomAccessFile(segment.getFilePath().toUri().getPath(), "rw")) {
            long at = block.offset() + block.length() - 1;
            file.seek(at);
            int b = file.read();
            file.seek(at);
            file.write(b ^ 0xff);
        }
        return handle;
    }

    // ------------------------------------------------------------------------------------------
    //  One test per write path: change state only through that path, confirm, snapshot, restore.
    // ------------------------------------------------------------------------------------------

    private static final ListStateDescriptor<String> LIST =
            new ListStateDescriptor<>("list", StringSerializer.INSTANCE);
    private static final MapStateDescriptor<String, String> MAP =
            new MapStateDescriptor<>("map", StringSerializer.INSTANCE, StringSerializer.INSTANCE);
    private static final ReducingStateDescriptor<Integer> REDUCING =
            new ReducingStateDescriptor<>("sum", Integer::sum, IntSerializer.INSTANCE);

    /** Sets key 1 up, confirms, applies {@code change} to key 1, and returns the restored copy. */
    private IncrementalHeapKeyedStateBackend<Integer> afterChange(
            ThrowingConsumer setUp, ThrowingConsumer change) throws Exception {
        IncrementalHeapKeyedStateBackend<Integer> backend = create();
        backend.setCurrentKey(1);
        setUp.accept(backend);
        harness.completeCheckpoint(backend, 1);
        backend.setCurrentKey(1);
        change.accept(backend);
        IncrementalRemoteKeyedStateHandle handle = harness.checkpoint(backend, 2);
        IncrementalHeapKeyedStateBackend<Integer> restored = restore(handle);
        restored.setCurrentKey(1);
        return restored;
    }

    private static ListState<String> list(IncrementalHeapKeyedStateBackend<Integer> b)
            throws Exception {
        return inVoidNamespace(b, LIST);
    }

    private static MapState<String, String> map(IncrementalHeapKeyedStateBackend<Integer> b)
            throws Exception {
        return inVoidNamespace(b, MAP);
    }

    private static List<String> listOf(IncrementalHeapKeyedStateBackend<Integer> b)
            throws Exception {
        List<String> values = new ArrayList<>();
        Iterable<String> iterable = list(b).get();
        if (iterable != null) {
            iterable.forEach(values::add);
        }
        return values;
    }

    private static Map<String, String> mapOf(IncrementalHeapKeyedStateBackend<Integer> b)
            throws Exception {
        Map<String, String> values = new HashMap<>();
        for (Map.Entry<String, String> entry : map(b).entries()) {
            values.put(entry.getKey(), entry.getValue());
        }
        return values;
    }

    @Test
    void valueUpdateAndClearAreTracked() throws Exception {
        assertThat(value(afterChange(b -> value(b).update("a"), b -> value(b).update("b"))).value())
                .isEqualTo("b");
        assertThat(value(afterChange(b -> value(b).update("a"), b -> value(b).clear())).value())
                .isNull();
    }

    @Test
    void listWritesAreTracked() throws Exception {
        ThrowingConsumer setUp = b -> list(b).update(Arrays.asList("a", "b", "c"));
        assertThat(listOf(afterChange(setUp, b -> list(b).add("d"))))
                .containsExactly("a", "b", "c", "d");
        assertThat(listOf(afterChange(setUp, b -> list(b).addAll(List.of("e")))))
                .containsExactly("a", "b", "c", "e");
        assertThat(listOf(afterChange(setUp, b -> list(b).update(List.of("z")))))
                .containsExactly("z");
    }

    @Test
    void listIteratorRemoveIsTracked() throws Exception {
        IncrementalHeapKeyedStateBackend<Integer> restored =
                afterChange(
                        b -> list(b).update(Arrays.asList("a", "b", "c")),
                        b -> {
                            Iterator<String> it = list(b).get().iterator();
                            it.next();
                            it.remove();
                        });
        assertThat(listOf(restored)).containsExactly("b", "c");
    }

    @Test
    void mapWritesAreTracked() throws Exception {
        ThrowingConsumer setUp = b -> map(b).putAll(Map.of("a", "1", "b", "2"));
        assertThat(mapOf(afterChange(setUp, b -> map(b).put("c", "3"))))
                .isEqualTo(Map.of("a", "1", "b", "2", "c", "3"));
        assertThat(mapOf(afterChange(setUp, b -> map(b).putAll(Map.of("a", "9")))))
                .isEqualTo(Map.of("a", "9", "b", "2"));
        assertThat(mapOf(afterChange(setUp, b -> map(b).remove("a")))).isEqualTo(Map.of("b", "2"));
    }

    @Test
    void aChangedUserKeyUploadsThatUserEntryNotTheMap() throws Exception {
        IncrementalHeapKeyedStateBackend<Integer> backend = create();
        backend.setCurrentKey(1);
        Map<String, String> model = new HashMap<>();
        for (int i = 0; i < 1000; i++) {
            model.put("user-" + i, PAYLOAD);
        }
        map(backend).putAll(model);
        long whole = BackendHarness.segmentBytes(harness.completeCheckpoint(backend, 1));
        assertThat(whole).as("the map's first upload").isGreaterThan(100_000);

        backend.setCurrentKey(1);
        map(backend).put("user-500", "y".repeat(100));
        model.put("user-500", "y".repeat(100));
        long put = BackendHarness.segmentBytes(harness.completeCheckpoint(backend, 2));
        backend.setCurrentKey(1);
        map(backend).remove("user-7");
        model.remove("user-7");
        IncrementalRemoteKeyedStateHandle third = harness.completeCheckpoint(backend, 3);
        long remove = BackendHarness.segmentBytes(third);

        // A segment header, a block header, the key and one user entry: not the 100 KB map.
        assertThat(put).as("upload after one put into a 1,000-entry map").isLessThan(300);
        assertThat(remove).as("upload after one remove").isLessThan(200);
        IncrementalHeapKeyedStateBackend<Integer> restored = restore(third);
        restored.setCurrentKey(1);
        assertThat(mapOf(restored)).isEqualTo(model);
    }

    @Test
    void userKeyChangesRestoreAsTheHeapHasThem() throws Exception {
        ThrowingConsumer setUp = b -> map(b).putAll(Map.of("a", "1", "b", "2"));
        // A map that did not exist is created by its first put.
        assertThat(mapOf(afterChange(b -> value(b).update("v"), b -> map(b).put("n", "new"))))
                .isEqualTo(Map.of("n", "new"));
        // Removing the last user key removes the entry.
        IncrementalHeapKeyedStateBackend<Integer> emptied =
                afterChange(
                        b -> map(b).put("only", "1"),
                        b -> {
                            map(b).remove("only");
                            map(b).remove("never-there");
                        });
        assertThat(map(emptied).isEmpty()).isTrue();
        assertThat(emptied.numKeyValueStateEntries()).isZero();
        // Map state allows null values.
        Map<String, String> withNull = new HashMap<>(Map.of("a", "1", "b", "2"));
        withNull.put("z", null);
        assertThat(mapOf(afterChange(setUp, b -> map(b).put("z", null)))).isEqualTo(withNull);
        // A clear after a put, and puts after a clear, in one checkpoint.
        assertThat(
                        mapOf(
                                afterChange(
                                        setUp,
                                        b -> {
                                            map(b).put("c", "3");
                                            map(b).clear();
                                        })))
                .isEmpty();
        assertThat(
                        mapOf(
                                afterChange(
                                        setUp,
                                        b -> {
                                            map(b).clear();
                                            map(b).put("c", "3");
                                        })))
                .isEqualTo(Map.of("c", "3"));
        // An iterator removal (whole map) beside a put (one user key).
        assertThat(
                        mapOf(
                                afterChange(
                                        setUp,
                                        b -> {
                                            map(b).put("c", "3");
                                            Iterator<String> keys = map(b).keys().iterator();
                                            while (!keys.next().equals("a")) {}
                                            keys.remove();
                                        })))
                .isEqualTo(Map.of("b", "2", "c", "3"));
    }

    @Test
    void mapIteratorRemoveAndSetValueAreTracked() throws Exception {
        ThrowingConsumer setUp = b -> map(b).putAll(Map.of("a", "1", "b", "2"));
        assertThat(mapOf(afterChange(setUp, b -> removeFirst(map(b).entries().iterator()))))
                .hasSize(1);
        assertThat(mapOf(afterChange(setUp, b -> removeFirst(map(b).keys().iterator()))))
                .hasSize(1);
        assertThat(mapOf(afterChange(setUp, b -> removeFirst(map(b).values().iterator()))))
                .hasSize(1);
        assertThat(mapOf(afterChange(setUp, b -> removeFirst(map(b).iterator())))).hasSize(1);
        assertThat(
                        mapOf(
                                afterChange(
                                        setUp,
                                        b -> {
                                            for (Map.Entry<String, String> e : map(b).entries()) {
                                                e.setValue("set");
                                            }
                                        })))
                .isEqualTo(Map.of("a", "set", "b", "set"));
    }

    private static void removeFirst(Iterator<?> iterator) {
        iterator.next();
        iterator.remove();
    }

    @Test
    void reducingAddIsTracked() throws Exception {
        IncrementalHeapKeyedStateBackend<Integer> restored =
                afterChange(b -> reducing(b).add(1), b -> reducing(b).add(41));
        assertThat(reducing(restored).get()).isEqualTo(42);
    }

    private static ReducingState<Integer> reducing(IncrementalHeapKeyedStateBackend<Integer> b)
            throws Exception {
        return inVoidNamespace(b, REDUCING);
    }

    @Test
    void mergeNamespacesIsTrackedForTargetAndSources() throws Exception {
        ThrowingConsumer setUp =
                b -> {
                    InternalListState<Integer, String, String> state = windowList(b);
                    state.setCurrentNamespace("w1");
                    state.add("from-w1");
                    state.setCurrentNamespace("w2");
                    state.add("from-w2");
                };
        IncrementalHeapKeyedStateBackend<Integer> restored =
                afterChange(setUp, b -> windowList(b).mergeNamespaces("w2", List.of("w1")));
        InternalListState<Integer, String, String> state = windowList(restored);
        state.setCurrentNamespace("w1");
        assertThat(state.get()).isNull();
        state.setCurrentNamespace("w2");
        assertThat(state.get()).containsExactlyInAnyOrder("from-w1", "from-w2");
    }

    @SuppressWarnings("unchecked")
    private static InternalListState<Integer, String, String> windowList(
            IncrementalHeapKeyedStateBackend<Integer> b) throws Exception {
        return (InternalListState<Integer, String, String>)
                b.getOrCreateKeyedState(StringSerializer.INSTANCE, LIST);
    }

    /** Sets keys {@code from} to {@code to} (exclusive) of {@code state} to "v". */
    private static void updateKeys(
            IncrementalHeapKeyedStateBackend<Integer> backend,
            ValueState<String> state,
            int from,
            int to)
            throws Exception {
        for (int key = from; key < to; key++) {
            backend.setCurrentKey(key);
            state.update("v");
        }
    }

    @Test
    void ttlIncrementalCleanupIsWritten() throws Exception {
        AtomicLong now = new AtomicLong();
        harness.setTimeProvider(now::get);
        ValueStateDescriptor<String> ttlValue =
                new ValueStateDescriptor<>("ttl", StringSerializer.INSTANCE);
        ttlValue.enableTimeToLive(
                StateTtlConfig.newBuilder(java.time.Duration.ofMillis(100))
                        .cleanupIncrementally(1000, false)
                        .build());
        IncrementalHeapKeyedStateBackend<Integer> backend = create();
        ValueState<String> state = inVoidNamespace(backend, ttlValue);
        updateKeys(backend, state, 0, 20);
        harness.completeCheckpoint(backend, 1);
        now.set(450);
        updateKeys(backend, state, 100, 300);
        now.set(500);
        // Reading absent keys runs the incremental cleanup, which drops the 20 expired entries
        // of other keys and keeps the 200 live ones.
        for (int i = 0; i < 100; i++) {
            backend.setCurrentKey(1000);
            state.value();
        }
        assertThat(backend.numKeyValueStateEntries()).isEqualTo(200);

        IncrementalHeapKeyedStateBackend<Integer> restored =
                restore(harness.checkpoint(backend, 2));
        assertThat(restored.numKeyValueStateEntries()).isEqualTo(200);
    }

    private static <S extends StateDescriptor<?, ?>> S withTtl(S descriptor, long ttlMillis) {
        descriptor.enableTimeToLive(
                StateTtlConfig.newBuilder(java.time.Duration.ofMillis(ttlMillis))
                        .disableCleanupInBackground()
                        .build());
        return descriptor;
    }

    @Test
    void statesWithTtlCheckpointOnlyWhatChanged() throws Exception {
        ValueStateDescriptor<String> ttlValue =
                withTtl(new ValueStateDescriptor<>("ttl-value", StringSerializer.INSTANCE), 60_000);
        ListStateDescriptor<String> ttlList =
                withTtl(new ListStateDescriptor<>("ttl-list", StringSerializer.INSTANCE), 60_000);
        MapStateDescriptor<String, String> ttlMap =
                withTtl(
                        new MapStateDescriptor<>(
                                "ttl-map", StringSerializer.INSTANCE, StringSerializer.INSTANCE),
                        60_000);
        IncrementalHeapKeyedStateBackend<Integer> backend = create();
        ValueState<String> value = inVoidNamespace(backend, ttlValue);
        ListState<String> list = inVoidNamespace(backend, ttlList);
        MapState<String, String> map = inVoidNamespace(backend, ttlMap);
        for (int key = 0; key < 1000; key++) {
            backend.setCurrentKey(key);
            value.update(PAYLOAD + key);
            list.add(PAYLOAD);
            map.put("k", PAYLOAD);
        }
        IncrementalRemoteKeyedStateHandle first = harness.completeCheckpoint(backend, 1);

        for (int key = 0; key < 10; key++) {
            backend.setCurrentKey(key);
            value.update("changed" + key);
            list.add("added");
            map.put("k2", "put");
        }
        for (int key = 500; key < 600; key++) {
            backend.setCurrentKey(key);
            assertThat(value.value()).isEqualTo(PAYLOAD + key);
        }
        IncrementalRemoteKeyedStateHandle second = harness.checkpoint(backend, 2);

        // 10 of 1000 keys changed in three states; value reads do not write.
        assertThat(BackendHarness.segmentBytes(second))
                .isLessThan(BackendHarness.segmentBytes(first) / 30);
        IncrementalHeapKeyedStateBackend<Integer> restored = restore(second);
        ValueState<String> restoredValue = inVoidNamespace(restored, ttlValue);
        ListState<String> restoredList = inVoidNamespace(restored, ttlList);
        MapState<String, String> restoredMap = inVoidNamespace(restored, ttlMap);
        for (int key = 0; key < 1000; key++) {
            restored.setCurrentKey(key);
            boolean changed = key < 10;
            assertThat(restoredValue.value()).isEqualTo(changed ? "changed" + key : PAYLOAD + key);
            assertThat(restoredList.get())
                    .containsExactlyElementsOf(
                            changed ? List.of(PAYLOAD, "added") : List.of(PAYLOAD));
            assertThat(restoredMap.get("k2")).isEqualTo(changed ? "put" : null);
        }
    }

    @Test
    void ttlExpiryOnReadIsWritten() throws Exception {
        AtomicLong now = new AtomicLong();
        harness.setTimeProvider(now::get);
        ValueStateDescriptor<String> ttlValue =
                withTtl(new ValueStateDescriptor<>("ttl", StringSerializer.INSTANCE), 100);
        IncrementalHeapKeyedStateBackend<Integer> backend = create();
        ValueState<String> state = inVoidNamespace(backend, ttlValue);
        updateKeys(backend, state, 0, 20);
        harness.completeCheckpoint(backend, 1);
        now.set(500);
        // Reading an expired value removes it from the heap.
        backend.setCurrentKey(3);
        assertThat(state.value()).isNull();
        assertThat(backend.numKeyValueStateEntries()).isEqualTo(19);

        IncrementalHeapKeyedStateBackend<Integer> restored =
                restore(harness.checkpoint(backend, 2));
        assertThat(restored.numKeyValueStateEntries()).isEqualTo(19);
    }

    @Test
    void timerAddRemoveAndPollAreTracked() throws Exception {
        IncrementalHeapKeyedStateBackend<Integer> backend = create();
        KeyGroupedInternalPriorityQueue<TimerHeapInternalTimer<Integer, VoidNamespace>> timers =
                timers(backend);
        for (int key = 0; key < 10; key++) {
            timers.add(new TimerHeapInternalTimer<>(100 + key, key, VoidNamespace.INSTANCE));
        }
        harness.completeCheckpoint(backend, 1);
        timers.poll(); // removes key 0's timer
        timers.remove(new TimerHeapInternalTimer<>(105, 5, VoidNamespace.INSTANCE));
        timers.add(new TimerHeapInternalTimer<>(50, 42, VoidNamespace.INSTANCE));
        timers.addAll(List.of(new TimerHeapInternalTimer<>(60, 43, VoidNamespace.INSTANCE)));

        KeyGroupedInternalPriorityQueue<TimerHeapInternalTimer<Integer, VoidNamespace>> restored =
                timers(restore(harness.checkpoint(backend, 2)));
        List<Long> timestamps = new ArrayList<>();
        while (restored.peek() != null) {
            timestamps.add(restored.poll().getTimestamp());
        }
        assertThat(timestamps)
                .containsExactly(50L, 60L, 101L, 102L, 103L, 104L, 106L, 107L, 108L, 109L);
    }

    /** The delta holds the values of the synchronous phase, even if the heap changes them later. */
    @Test
    void writesAfterTheSynchronousPhaseStayOutOfTheDelta() throws Exception {
        IncrementalHeapKeyedStateBackend<Integer> backend = create();
        ListState<String> list = inVoidNamespace(backend, LIST);
        ValueState<String> value = value(backend);
        for (int key = 0; key < 100; key++) {
            backend.setCurrentKey(key);
            list.add("a");
            value.update("a");
        }
        harness.completeCheckpoint(backend, 1);
        for (int key = 0; key < 10; key++) {
            backend.setCurrentKey(key);
            list.add("b");
            value.update("b");
        }

        IncrementalRemoteKeyedStateHandle handle =
                harness.checkpoint(
                        backend,
                        2,
                        b -> {
                            for (int key = 0; key < 20; key++) {
                                b.setCurrentKey(key);
                                list.add("c"); // appends in place to the heap's list
                                value.update("c");
                            }
                        });

        IncrementalHeapKeyedStateBackend<Integer> restored = restore(handle);
        ListState<String> restoredList = inVoidNamespace(restored, LIST);
        for (int key = 0; key < 20; key++) {
            restored.setCurrentKey(key);
            backend.setCurrentKey(key);
            String expected = key < 10 ? "b" : "a";
            assertThat(restoredList.get())
                    .as("list of key %s", key)
                    .containsExactlyElementsOf(key < 10 ? List.of("a", "b") : List.of("a"));
            assertThat(value(restored).value()).as("value of key %s", key).isEqualTo(expected);
            assertThat(list.get()).last().isEqualTo("c");
        }
    }

    @Test
    void keyGroupsWhereMostEntriesChangedAreReplacedWhole() throws Exception {
        harness.close();
        harness = new BackendHarness(dir, withoutCompaction());
        IncrementalHeapKeyedStateBackend<Integer> backend = create();
        int keys = BackendHarness.MAX_PARALLELISM * 600;
        put(backend, 0, keys, PAYLOAD);
        KeyGroupedInternalPriorityQueue<TimerHeapInternalTimer<Integer, VoidNamespace>> timers =
                timers(backend);
        for (int key = 0; key < keys; key++) {
            timers.add(new TimerHeapInternalTimer<>(key, key, VoidNamespace.INSTANCE));
        }
        harness.completeCheckpoint(backend, 1);

        put(backend, 0, keys * 2 / 3, "changed");
        ValueState<String> state = value(backend);
        for (int key = keys * 2 / 3; key < keys * 5 / 6; key++) {
            backend.setCurrentKey(key);
            state.clear();
        }
        for (int key = 0; key < keys * 3 / 4; key++) {
            timers.remove(new TimerHeapInternalTimer<>(key, key, VoidNamespace.INSTANCE));
        }
        timers.add(new TimerHeapInternalTimer<>(-1, 7, VoidNamespace.INSTANCE));
        TrackedStates<Integer> tracked = backend.trackedStates();
        assertThat(tracked.kv(VALUE.getName()).dirty().saturatedKeyGroups())
                .isEqualTo(BackendHarness.MAX_PARALLELISM);
        assertThat(tracked.pqStates().iterator().next().dirty().saturatedKeyGroups())
                .isEqualTo(BackendHarness.MAX_PARALLELISM);

        IncrementalRemoteKeyedStateHandle second = harness.completeCheckpoint(backend, 2);
        // Replacing sections in deltas: the chains grew, no base was rewritten.
        assertThat(chainLengths(backend, second)).containsOnly(2);
        IncrementalHeapKeyedStateBackend<Integer> restored = restore(second);
        assertThat(read(restored, keys)).isEqualTo(read(backend, keys)).hasSize(keys - keys / 6);
        assertThat(pollAll(timers(restored))).isEqualTo(pollAll(timers)).hasSize(keys / 4 + 1);
    }

    private static List<Long> pollAll(
            KeyGroupedInternalPriorityQueue<TimerHeapInternalTimer<Integer, VoidNamespace>>
                    timers) {
        List<Long> timestamps = new ArrayList<>();
        while (timers.peek() != null) {
            timestamps.add(timers.poll().getTimestamp());
        }
        return timestamps;
    }

    private static KeyGroupedInternalPriorityQueue<TimerHeapInternalTimer<Integer, VoidNamespace>>
            timers(IncrementalHeapKeyedStateBackend<Integer> backend) {
        return backend.create(
                "timers",
                new TimerSerializer<>(IntSerializer.INSTANCE, VoidNamespaceSerializer.INSTANCE));
    }

    // ------------------------------------------------------------------------------------------

    static IncrementalHeapStateBackend withoutCompaction() {
        Configuration config = new Configuration();
        config.set(BackendOptions.COMPACTION_MAX_DELTAS, 1000);
        config.set(BackendOptions.COMPACTION_MAX_SPACE_AMPLIFICATION, 100.0);
        return new IncrementalHeapStateBackend()
                .configure(config, IncrementalSnapshotTest.class.getClassLoader());
    }

    private static List<Integer> chainLengths(
            IncrementalHeapKeyedStateBackend<Integer> backend,
            IncrementalRemoteKeyedStateHandle handle)
            throws Exception {
        Manifest manifest =
                Manifest.read(
                        handle.getMetaDataStateHandle(),
                        IncrementalSnapshotTest.class.getClassLoader());
        List<Integer> lengths = new ArrayList<>();
        for (List<BlockRef> chain : manifest.chains()) {
            lengths.add(chain.size());
        }
        return lengths;
    }

    private static List<String> newSegments(
            IncrementalRemoteKeyedStateHandle handle, IncrementalRemoteKeyedStateHandle before) {
        List<String> result = new ArrayList<>(BackendHarness.segments(handle));
        result.removeAll(BackendHarness.segments(before));
        return Collections.unmodifiableList(result);
    }

    @FunctionalInterface
    interface ThrowingConsumer {
        void accept(IncrementalHeapKeyedStateBackend<Integer> backend) throws Exception;
    }
}
