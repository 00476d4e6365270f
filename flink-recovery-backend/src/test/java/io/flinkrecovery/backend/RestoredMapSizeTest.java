package io.flinkrecovery.backend;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.heap.CopyOnWriteStateMap;
import org.apache.flink.runtime.state.heap.DeferredStateMap;
import org.apache.flink.runtime.state.heap.StateMap;
import org.apache.flink.runtime.state.heap.StateTable;

import io.flinkrecovery.config.BackendOptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.reflect.Field;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A restored key group gets a copy-on-write map sized for its base (no doubling while the restore
 * fills it), holding every entry: of the class the heap creates when the restore applies
 * everything, a {@link DeferredStateMap} when it defers the keyed state.
 */
class RestoredMapSizeTest {

    private static final ValueStateDescriptor<String> VALUE =
            new ValueStateDescriptor<>("value", StringSerializer.INSTANCE);
    private static final int KEYS = 128 * 400;

    @TempDir Path dir;

    @ParameterizedTest(name = "deferred: {0}")
    @ValueSource(booleans = {true, false})
    void restoredMapsAreSizedForTheirBase(boolean deferred) throws Exception {
        Configuration config = new Configuration();
        config.set(BackendOptions.RESTORE_DEFERRED, deferred);
        IncrementalHeapStateBackend backend =
                new IncrementalHeapStateBackend()
                        .configure(config, RestoredMapSizeTest.class.getClassLoader());
        try (BackendHarness harness = new BackendHarness(dir, backend)) {
            IncrementalHeapKeyedStateBackend<Integer> original = harness.create();
            ValueState<String> state =
                    original.getPartitionedState(
                            VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, VALUE);
            for (int key = 0; key < KEYS; key++) {
                original.setCurrentKey(key);
                state.update("v" + key);
            }
            IncrementalHeapKeyedStateBackend<Integer> restored =
                    harness.restore(harness.completeCheckpoint(original, 1));
            original.close();
            original.dispose();
            try {
                ValueState<String> restoredState =
                        restored.getPartitionedState(
                                VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, VALUE);
                StateTable<?, ?, ?> table = restored.trackedStates().kv("value").table();
                int keyGroup =
                        KeyGroupRangeAssignment.assignToKeyGroup(7, BackendHarness.MAX_PARALLELISM);
                StateMap<?, ?, ?> map = table.getMapForKeyGroup(keyGroup);
                assertThat(map.getClass())
                        .isEqualTo(deferred ? DeferredStateMap.class : CopyOnWriteStateMap.class);
                assertThat(map.size()).isGreaterThan(200);
                // Sized at once: a power of two holding the entries below its 3/4 load factor,
                // and not rehashing (a map grown from 128 by doubling would be mid-way here).
                int capacity = primaryTableLength(map);
                assertThat(capacity).isGreaterThanOrEqualTo(map.size() * 4 / 3);
                assertThat(capacity)
                        .isLessThanOrEqualTo(Integer.highestOneBit(map.size() * 4 / 3) * 2);
                for (int key = 0; key < KEYS; key++) {
                    restored.setCurrentKey(key);
                    assertThat(restoredState.value()).isEqualTo("v" + key);
                }
            } finally {
                restored.close();
                restored.dispose();
            }
        }
    }

    private static int primaryTableLength(StateMap<?, ?, ?> map) throws Exception {
        Field field = CopyOnWriteStateMap.class.getDeclaredField("primaryTable");
        field.setAccessible(true);
        return ((Object[]) field.get(map)).length;
    }
}
