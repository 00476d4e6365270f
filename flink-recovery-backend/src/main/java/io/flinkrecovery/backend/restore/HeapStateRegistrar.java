package io.flinkrecovery.backend.restore;

import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.ReduceFunction;
import org.apache.flink.api.common.state.AggregatingStateDescriptor;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReducingStateDescriptor;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.ListSerializer;
import org.apache.flink.api.common.typeutils.base.MapSerializer;
import org.apache.flink.runtime.state.KeyGroupedInternalPriorityQueue;
import org.apache.flink.runtime.state.RegisteredKeyValueStateBackendMetaInfo;
import org.apache.flink.runtime.state.RegisteredPriorityQueueStateBackendMetaInfo;
import org.apache.flink.runtime.state.StateSnapshotTransformer.StateSnapshotTransformFactory;
import org.apache.flink.runtime.state.heap.AbstractHeapState;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.runtime.state.heap.StateTable;
import org.apache.flink.runtime.state.metainfo.StateMetaInfoSnapshot;

import io.flinkrecovery.backend.snapshot.TrackedStates;

/**
 * Registers restored states in the heap, from their meta data alone, and tracks them. States are
 * registered with serializer upgrades allowed, so that the user's later registration is checked for
 * compatibility against the restored serializers, as after Flink's own heap restore. Reduce and
 * aggregate functions are placeholders until the user registers the state.
 */
public final class HeapStateRegistrar<K> {

    private final HeapKeyedStateBackend<K> heap;
    private final TrackedStates<K> states;

    public HeapStateRegistrar(HeapKeyedStateBackend<K> heap, TrackedStates<K> states) {
        this.heap = heap;
        this.states = states;
    }

    /** Registers the keyed state described by {@code snapshot} and returns its table. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public StateTable<K, Object, Object> registerKv(StateMetaInfoSnapshot snapshot)
            throws Exception {
        RegisteredKeyValueStateBackendMetaInfo<Object, Object> meta =
                new RegisteredKeyValueStateBackendMetaInfo<>(snapshot);
        Object state =
                heap.createOrUpdateInternalState(
                        meta.getNamespaceSerializer(),
                        (StateDescriptor) toStateDescriptor(meta),
                        StateSnapshotTransformFactory.noTransform(),
                        true);
        StateTable<K, Object, Object> table =
                ((AbstractHeapState<K, Object, Object>) state).getStateTable();
        states.registerKv(snapshot.getName(), table);
        return table;
    }

    /** Registers the priority queue described by {@code snapshot} and returns it. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public KeyGroupedInternalPriorityQueue<Object> registerPq(StateMetaInfoSnapshot snapshot) {
        RegisteredPriorityQueueStateBackendMetaInfo<?> meta =
                new RegisteredPriorityQueueStateBackendMetaInfo<>(snapshot);
        TypeSerializer serializer = meta.getElementSerializer();
        KeyGroupedInternalPriorityQueue queue = heap.create(snapshot.getName(), serializer, true);
        states.registerPq(snapshot.getName(), queue, serializer);
        return queue;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static StateDescriptor<?, ?> toStateDescriptor(
            RegisteredKeyValueStateBackendMetaInfo<?, ?> meta) {
        TypeSerializer serializer = meta.getStateSerializer();
        switch (meta.getStateType()) {
            case VALUE:
                return new ValueStateDescriptor<>(meta.getName(), serializer);
            case LIST:
                return new ListStateDescriptor<>(
                        meta.getName(), ((ListSerializer) serializer).getElementSerializer());
            case MAP:
                MapSerializer map = (MapSerializer) serializer;
                return new MapStateDescriptor<>(
                        meta.getName(), map.getKeySerializer(), map.getValueSerializer());
            case REDUCING:
                return new ReducingStateDescriptor<>(
                        meta.getName(),
                        new UnregisteredReduceFunction<>(meta.getName()),
                        serializer);
            case AGGREGATING:
                return new AggregatingStateDescriptor<>(
                        meta.getName(),
                        new UnregisteredAggregateFunction<>(meta.getName()),
                        serializer);
            default:
                throw new IllegalStateException(
                        "Cannot restore state "
                                + meta.getName()
                                + " of type "
                                + meta.getStateType());
        }
    }

    private static UnsupportedOperationException notRegistered(String name) {
        return new UnsupportedOperationException(
                "State " + name + " was restored but its descriptor was not registered yet");
    }

    private static final class UnregisteredReduceFunction<T> implements ReduceFunction<T> {
        private static final long serialVersionUID = 1L;
        private final String name;

        UnregisteredReduceFunction(String name) {
            this.name = name;
        }

        @Override
        public T reduce(T value1, T value2) {
            throw notRegistered(name);
        }
    }

    private static final class UnregisteredAggregateFunction<IN, ACC>
            implements AggregateFunction<IN, ACC, Object> {
        private static final long serialVersionUID = 1L;
        private final String name;

        UnregisteredAggregateFunction(String name) {
            this.name = name;
        }

        @Override
        public ACC createAccumulator() {
            throw notRegistered(name);
        }

        @Override
        public ACC add(IN value, ACC accumulator) {
            throw notRegistered(name);
        }

        @Override
        public Object getResult(ACC accumulator) {
            throw notRegistered(name);
        }

        @Override
        public ACC merge(ACC a, ACC b) {
            throw notRegistered(name);
        }
    }
}
