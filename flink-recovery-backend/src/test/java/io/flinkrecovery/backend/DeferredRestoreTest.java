package io.flinkrecovery.backend;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.runtime.state.IncrementalRemoteKeyedStateHandle;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.KeyGroupedInternalPriorityQueue;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.heap.DeferredStateMap;
import org.apache.flink.runtime.state.heap.StateMap;
import org.apache.flink.runtime.state.heap.StateTable;
import org.apache.flink.streaming.api.operators.TimerHeapInternalTimer;
import org.apache.flink.streaming.api.operators.TimerSerializer;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.FlinkRuntimeException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A restore lets the task run once the blocks are fetched and checked and the timers applied; the
 * keyed state is deserialized afterwards, on a key group's first access or by the background
 * thread, whichever comes first.
 */
class DeferredRestoreTest {

    private static final int KEYS = 2_000;

    private static final ValueStateDescriptor<String> VALUE =
            new ValueStateDescriptor<>("value", GatedStringSerializer.INSTANCE);

    @TempDir Path dir;

    private final List<IncrementalHeapKeyedStateBackend<Integer>> backends = new ArrayList<>();

    @AfterEach
    void tearDown() {
        GatedStringSerializer.gate.countDown();
        GatedStringSerializer.poison = null;
        for (IncrementalHeapKeyedStateBackend<Integer> backend : backends) {
            backend.dispose();
        }
    }

    @Test
    @Timeout(60)
    void restoreReturnsWithEveryTimerInBeforeAnyKeyedValueIsDeserialized() throws Exception {
        try (BackendHarness harness = new BackendHarness(dir)) {
            IncrementalHeapKeyedStateBackend<Integer> backend = track(harness.create());
            Map<Integer, String> model = new HashMap<>();
            Set<Long> timers = new HashSet<>();
            put(backend, 0, KEYS, "v1-", model);
            KeyGroupedInternalPriorityQueue<TimerHeapInternalTimer<Integer, VoidNamespace>> queue =
                    timers(backend);
            for (int key = 0; key < 500; key++) {
                queue.add(timer(1000 + key, key));
                timers.add(1000L + key);
            }
            harness.completeCheckpoint(backend, 1);
            // A delta on the base: changed values, and timers removed and added.
            put(backend, 0, 300, "v2-", model);
            for (int key = 0; key < 100; key++) {
                queue.remove(timer(1000 + key, key));
                timers.remove(1000L + key);
                queue.add(timer(5000 + key, key));
                timers.add(5000L + key);
            }
            IncrementalRemoteKeyedStateHandle handle = harness.completeCheckpoint(backend, 2);

            // Every value deserialization blocks from here: the restore must not need one.
            GatedStringSerializer.gate = new CountDownLatch(1);
            GatedStringSerializer.deserialized.set(0);
            IncrementalHeapKeyedStateBackend<Integer> restored = track(harness.restore(handle));

            assertThat(GatedStringSerializer.deserialized).hasValue(0);
            assertThat(timestamps(timers(restored))).isEqualTo(timers);
            List<DeferredStateMap<?, ?, ?>> maps = deferredMaps(restored);
            assertThat(maps).hasSize(BackendHarness.MAX_PARALLELISM).noneMatch(m -> m.isApplied());

            GatedStringSerializer.gate.countDown();
            // One access starts the background thread, which applies every other key group.
            restored.setCurrentKey(0);
            assertThat(value(restored).value()).isEqualTo(model.get(0));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!maps.stream().allMatch(DeferredStateMap::isApplied)
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(maps).allMatch(DeferredStateMap::isApplied);
            assertThat(read(restored)).isEqualTo(model);
            // Each value of the chains once: the base's KEYS and the delta's 300.
            assertThat(GatedStringSerializer.deserialized).hasValue(KEYS + 300);
        }
    }

    @Test
    @Timeout(60)
    void aKeyGroupWhoseRecordsCannotBeReadFailsItsAccessAndTheTask() throws Exception {
        try (BackendHarness harness = new BackendHarness(dir)) {
            IncrementalHeapKeyedStateBackend<Integer> backend = track(harness.create());
            Map<Integer, String> model = new HashMap<>();
            put(backend, 0, KEYS, "v-", model);
            backend.setCurrentKey(7);
            value(backend).update("poison");
            IncrementalRemoteKeyedStateHandle handle = harness.completeCheckpoint(backend, 1);

            GatedStringSerializer.poison = "poison";
            harness.env().setExpectedExternalFailureCause(FlinkRuntimeException.class);
            IncrementalHeapKeyedStateBackend<Integer> restored = track(harness.restore(handle));

            int keyGroup =
                    KeyGroupRangeAssignment.assignToKeyGroup(7, BackendHarness.MAX_PARALLELISM);
            restored.setCurrentKey(7);
            ValueState<String> state = value(restored);
            assertThatThrownBy(state::value)
                    .isInstanceOf(FlinkRuntimeException.class)
                    .hasMessageContaining("restored state of key group " + keyGroup)
                    .hasMessageContaining("poison value");
            // Every later access to that key group fails the same way; the others still read.
            assertThatThrownBy(state::value).hasMessageContaining("key group " + keyGroup);
            int other = 8;
            while (KeyGroupRangeAssignment.assignToKeyGroup(other, BackendHarness.MAX_PARALLELISM)
                    == keyGroup) {
                other++;
            }
            restored.setCurrentKey(other);
            assertThat(state.value()).isEqualTo(model.get(other));
            // The background thread meets the key group too and fails the task.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (harness.env().getActualExternalFailureCause().isEmpty()
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(harness.env().getActualExternalFailureCause())
                    .get()
                    .satisfies(e -> assertThat(e.getMessage()).contains("key group " + keyGroup));
        }
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

    private static void put(
            IncrementalHeapKeyedStateBackend<Integer> backend,
            int from,
            int to,
            String prefix,
            Map<Integer, String> model)
            throws Exception {
        ValueState<String> state = value(backend);
        for (int key = from; key < to; key++) {
            backend.setCurrentKey(key);
            state.update(prefix + key);
            model.put(key, prefix + key);
        }
    }

    private static Map<Integer, String> read(IncrementalHeapKeyedStateBackend<Integer> backend)
            throws Exception {
        ValueState<String> state = value(backend);
        Map<Integer, String> values = new HashMap<>();
        for (int key = 0; key < KEYS; key++) {
            backend.setCurrentKey(key);
            values.put(key, state.value());
        }
        return values;
    }

    private static List<DeferredStateMap<?, ?, ?>> deferredMaps(
            IncrementalHeapKeyedStateBackend<Integer> backend) {
        StateTable<?, ?, ?> table = backend.trackedStates().kv(VALUE.getName()).table();
        List<DeferredStateMap<?, ?, ?>> maps = new ArrayList<>();
        for (StateMap<?, ?, ?> map : table.getState()) {
            if (map instanceof DeferredStateMap) {
                maps.add((DeferredStateMap<?, ?, ?>) map);
            }
        }
        return maps;
    }

    private static KeyGroupedInternalPriorityQueue<TimerHeapInternalTimer<Integer, VoidNamespace>>
            timers(IncrementalHeapKeyedStateBackend<Integer> backend) {
        return backend.create(
                "timers",
                new TimerSerializer<>(IntSerializer.INSTANCE, VoidNamespaceSerializer.INSTANCE));
    }

    private static TimerHeapInternalTimer<Integer, VoidNamespace> timer(long timestamp, int key) {
        return new TimerHeapInternalTimer<>(timestamp, key, VoidNamespace.INSTANCE);
    }

    private static Set<Long> timestamps(
            KeyGroupedInternalPriorityQueue<TimerHeapInternalTimer<Integer, VoidNamespace>> queue)
            throws Exception {
        Set<Long> timestamps = new HashSet<>();
        try (CloseableIterator<TimerHeapInternalTimer<Integer, VoidNamespace>> it =
                queue.iterator()) {
            it.forEachRemaining(timer -> timestamps.add(timer.getTimestamp()));
        }
        return timestamps;
    }

    /**
     * Strings, but deserializing one waits for {@link #gate} and is counted, and reading {@link
     * #poison} fails. Its snapshot restores the same singleton, so the restore reads with it.
     */
    public static final class GatedStringSerializer extends TypeSerializerSingleton<String> {

        static final GatedStringSerializer INSTANCE = new GatedStringSerializer();
        static volatile CountDownLatch gate = new CountDownLatch(0);
        static final AtomicInteger deserialized = new AtomicInteger();
        static volatile String poison;

        @Override
        public boolean isImmutableType() {
            return true;
        }

        @Override
        public String createInstance() {
            return "";
        }

        @Override
        public String copy(String from) {
            return from;
        }

        @Override
        public String copy(String from, String reuse) {
            return from;
        }

        @Override
        public int getLength() {
            return -1;
        }

        @Override
        public void serialize(String record, DataOutputView target) throws IOException {
            StringSerializer.INSTANCE.serialize(record, target);
        }

        @Override
        public String deserialize(DataInputView source) throws IOException {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            deserialized.incrementAndGet();
            String value = StringSerializer.INSTANCE.deserialize(source);
            if (value.equals(poison)) {
                throw new IOException("poison value");
            }
            return value;
        }

        @Override
        public String deserialize(String reuse, DataInputView source) throws IOException {
            return deserialize(source);
        }

        @Override
        public void copy(DataInputView source, DataOutputView target) throws IOException {
            StringSerializer.INSTANCE.copy(source, target);
        }

        @Override
        public TypeSerializerSnapshot<String> snapshotConfiguration() {
            return new Snapshot();
        }

        /** Restores {@link #INSTANCE}. */
        public static final class Snapshot extends SimpleTypeSerializerSnapshot<String> {
            public Snapshot() {
                super(() -> INSTANCE);
            }
        }
    }
}
