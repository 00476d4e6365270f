package io.flinkrecovery.backend;

import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.state.AbstractKeyedStateBackend;
import org.apache.flink.runtime.state.CheckpointStreamFactory;
import org.apache.flink.runtime.state.KeyGroupedInternalPriorityQueue;
import org.apache.flink.runtime.state.Keyed;
import org.apache.flink.runtime.state.KeyedStateFunction;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.PriorityComparable;
import org.apache.flink.runtime.state.SavepointResources;
import org.apache.flink.runtime.state.SnapshotResult;
import org.apache.flink.runtime.state.StateSnapshotTransformer.StateSnapshotTransformFactory;
import org.apache.flink.runtime.state.heap.AbstractHeapState;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.runtime.state.heap.HeapPriorityQueueElement;
import org.apache.flink.runtime.state.heap.StateTable;
import org.apache.flink.runtime.state.heap.WriteReportingStateMap;
import org.apache.flink.runtime.state.internal.InternalAggregatingState;
import org.apache.flink.runtime.state.internal.InternalKvState;
import org.apache.flink.runtime.state.internal.InternalListState;
import org.apache.flink.runtime.state.internal.InternalMapState;
import org.apache.flink.runtime.state.internal.InternalReducingState;
import org.apache.flink.runtime.state.internal.InternalValueState;
import org.apache.flink.util.FlinkRuntimeException;

import io.flinkrecovery.backend.metrics.BackendMetrics;
import io.flinkrecovery.backend.restore.DeferredKeyedState;
import io.flinkrecovery.backend.snapshot.DirtyKeys;
import io.flinkrecovery.backend.snapshot.IncrementalSnapshotter;
import io.flinkrecovery.backend.snapshot.SnapshotHistory;
import io.flinkrecovery.backend.snapshot.TrackedStates;

import javax.annotation.Nonnull;
import javax.annotation.Nullable;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RunnableFuture;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

/**
 * The keyed backend of {@link IncrementalHeapStateBackend}: Flink's {@link HeapKeyedStateBackend}
 * holds the state, and every state and timer queue it hands out is wrapped so that each write marks
 * its entry dirty (a state with TTL is not wrapped: its table reports its writes, see {@link
 * WriteReportingStateMap}). Snapshots write only what changed since the last confirmed checkpoint.
 * Shares key context, listeners and the cancel registry with the heap (copy constructor).
 */
final class IncrementalHeapKeyedStateBackend<K> extends AbstractKeyedStateBackend<K> {

    private final HeapKeyedStateBackend<K> heap;
    private final TrackedStates<K> states;
    private final IncrementalSnapshotter<K> snapshotter;
    private final Map<String, AbstractTrackedState<K, ?, ?, ?>> trackedStates = new HashMap<>();
    private final Map<String, TrackedPriorityQueue<?>> trackedQueues = new HashMap<>();

    /** Set while TTL creates the state it wraps: that state must be the heap's own. */
    private boolean creatingTtlOriginal;

    /** What the restore left to deserialize after the task starts; null if nothing. */
    @Nullable private DeferredKeyedState deferred;

    IncrementalHeapKeyedStateBackend(
            HeapKeyedStateBackend<K> heap,
            TrackedStates<K> states,
            IncrementalSnapshotter<K> snapshotter) {
        super(heap);
        this.heap = heap;
        this.states = states;
        this.snapshotter = snapshotter;
    }

    HeapKeyedStateBackend<K> heap() {
        return heap;
    }

    TrackedStates<K> trackedStates() {
        return states;
    }

    /** The figures of this backend's restore and newest checkpoint, as its metrics show them. */
    public BackendMetrics metrics() {
        return snapshotter.metrics();
    }

    SnapshotHistory history() {
        return snapshotter.history();
    }

    /**
     * Starts applying, in a background thread, the keyed state that the restore deferred; {@code
     * onFailure} is told if a key group cannot be applied, {@code onApplied} once all are.
     */
    void applyInBackground(
            DeferredKeyedState deferred,
            String owner,
            Consumer<Throwable> onFailure,
            LongConsumer onApplied) {
        this.deferred = deferred;
        deferred.applyInBackground(owner, onFailure, onApplied);
    }

    // ------------------------------------------------------------------------------------------
    //  State creation
    // ------------------------------------------------------------------------------------------

    /**
     * TTL wraps the heap's own state (Flink's TTL suite checks its table directly, and its test
     * contexts cast the returned state to TTL's classes), so writes to states with TTL bypass our
     * wrappers. Their tables report writes themselves instead: see {@link WriteReportingStateMap}.
     */
    @Override
    public <N, S extends State, V> S getOrCreateKeyedState(
            TypeSerializer<N> namespaceSerializer, StateDescriptor<S, V> stateDescriptor)
            throws Exception {
        if (!stateDescriptor.getTtlConfig().isEnabled()) {
            return super.getOrCreateKeyedState(namespaceSerializer, stateDescriptor);
        }
        creatingTtlOriginal = true;
        try {
            return super.getOrCreateKeyedState(namespaceSerializer, stateDescriptor);
        } finally {
            creatingTtlOriginal = false;
        }
    }

    @Nonnull
    @Override
    public <N, SV, SEV, S extends State, IS extends S> IS createOrUpdateInternalState(
            @Nonnull TypeSerializer<N> namespaceSerializer,
            @Nonnull StateDescriptor<S, SV> stateDesc,
            @Nonnull StateSnapshotTransformFactory<SEV> snapshotTransformFactory)
            throws Exception {
        return createOrUpdateInternalState(
                namespaceSerializer, stateDesc, snapshotTransformFactory, false);
    }

    @Nonnull
    @Override
    @SuppressWarnings("unchecked")
    public <N, SV, SEV, S extends State, IS extends S> IS createOrUpdateInternalState(
            @Nonnull TypeSerializer<N> namespaceSerializer,
            @Nonnull StateDescriptor<S, SV> stateDesc,
            @Nonnull StateSnapshotTransformFactory<SEV> snapshotTransformFactory,
            boolean allowFutureMetadataUpdates)
            throws Exception {
        InternalKvState<K, N, SV> heapState =
                heap.createOrUpdateInternalState(
                        namespaceSerializer,
                        stateDesc,
                        snapshotTransformFactory,
                        allowFutureMetadataUpdates);
        StateTable<K, N, SV> table = ((AbstractHeapState<K, N, SV>) heapState).getStateTable();
        TrackedStates.KvState<K, N, SV> state = states.registerKv(stateDesc.getName(), table);
        if (creatingTtlOriginal) {
            // TTL wraps the heap's state itself; see getOrCreateKeyedState.
            WriteReportingStateMap.install(table, state.dirty()::mark);
            return (IS) heapState;
        }
        DirtyKeys dirty = state.dirty();

        AbstractTrackedState<K, ?, ?, ?> tracked = trackedStates.get(stateDesc.getName());
        if (tracked == null) {
            tracked = wrap(stateDesc, heapState, dirty);
            trackedStates.put(stateDesc.getName(), tracked);
        } else {
            ((AbstractTrackedState<K, N, ?, ?>) tracked).setDelegate(heapState);
        }
        return (IS) tracked;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private AbstractTrackedState<K, ?, ?, ?> wrap(
            StateDescriptor<?, ?> desc, InternalKvState<K, ?, ?> state, DirtyKeys dirty) {
        switch (desc.getType()) {
            case VALUE:
                return new TrackedValueState<>((InternalValueState) state, dirty, keyContext);
            case LIST:
                return new TrackedListState<>((InternalListState) state, dirty, keyContext);
            case MAP:
                return new TrackedMapState<>((InternalMapState) state, dirty, keyContext);
            case REDUCING:
                return new TrackedReducingState<>((InternalReducingState) state, dirty, keyContext);
            case AGGREGATING:
                return new TrackedAggregatingState<>(
                        (InternalAggregatingState) state, dirty, keyContext);
            default:
                throw new FlinkRuntimeException(
                        String.format(
                                "State %s is not supported by %s",
                                desc.getClass(), getClass().getSimpleName()));
        }
    }

    @Nonnull
    @Override
    public <T extends HeapPriorityQueueElement & PriorityComparable<? super T> & Keyed<?>>
            KeyGroupedInternalPriorityQueue<T> create(
                    @Nonnull String stateName,
                    @Nonnull TypeSerializer<T> byteOrderedElementSerializer) {
        return create(stateName, byteOrderedElementSerializer, false);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends HeapPriorityQueueElement & PriorityComparable<? super T> & Keyed<?>>
            KeyGroupedInternalPriorityQueue<T> create(
                    @Nonnull String stateName,
                    @Nonnull TypeSerializer<T> byteOrderedElementSerializer,
                    boolean allowFutureMetadataUpdates) {
        KeyGroupedInternalPriorityQueue<T> queue =
                heap.create(stateName, byteOrderedElementSerializer, allowFutureMetadataUpdates);
        DirtyKeys dirty = states.registerPq(stateName, queue, byteOrderedElementSerializer).dirty();
        TrackedPriorityQueue<?> tracked = trackedQueues.get(stateName);
        if (tracked == null) {
            tracked = new TrackedPriorityQueue<>(queue, dirty, numberOfKeyGroups);
            trackedQueues.put(stateName, tracked);
        }
        return (KeyGroupedInternalPriorityQueue<T>) tracked;
    }

    // ------------------------------------------------------------------------------------------
    //  Snapshots
    // ------------------------------------------------------------------------------------------

    @Nonnull
    @Override
    public RunnableFuture<SnapshotResult<KeyedStateHandle>> snapshot(
            long checkpointId,
            long timestamp,
            @Nonnull CheckpointStreamFactory streamFactory,
            @Nonnull CheckpointOptions checkpointOptions)
            throws Exception {
        return snapshotter.snapshot(
                checkpointId, timestamp, streamFactory, checkpointOptions, cancelStreamRegistry);
    }

    /** Canonical savepoints are Flink's standard format, restorable by any backend. */
    @Nonnull
    @Override
    public SavepointResources<K> savepoint() throws Exception {
        return heap.savepoint();
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        snapshotter.checkpointComplete(checkpointId);
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) {
        snapshotter.checkpointAborted(checkpointId);
    }

    // ------------------------------------------------------------------------------------------
    //  Delegation to the heap
    // ------------------------------------------------------------------------------------------

    @Override
    public <N> Stream<K> getKeys(String state, N namespace) {
        return heap.getKeys(state, namespace);
    }

    @Override
    public <N> Stream<K> getKeys(List<String> states, N namespace) {
        return heap.getKeys(states, namespace);
    }

    @Override
    public <N> Stream<Tuple2<K, N>> getKeysAndNamespaces(String state) {
        return heap.getKeysAndNamespaces(state);
    }

    @Override
    public <N, S extends State, T> void applyToAllKeys(
            N namespace,
            TypeSerializer<N> namespaceSerializer,
            StateDescriptor<S, T> stateDescriptor,
            KeyedStateFunction<K, S> function,
            PartitionStateFactory partitionStateFactory)
            throws Exception {
        // The heap copies the keys first, so that the function may clear state.
        heap.applyToAllKeys(
                namespace, namespaceSerializer, stateDescriptor, function, partitionStateFactory);
    }

    @Override
    public int numKeyValueStateEntries() {
        return heap.numKeyValueStateEntries();
    }

    /** Flink 2.x's {@code KeyedStateBackend#getBackendTypeIdentifier}; unused by Flink 1.20. */
    public String getBackendTypeIdentifier() {
        return "incremental-heap";
    }

    @Override
    public void dispose() {
        if (deferred != null) {
            deferred.cancel();
        }
        super.dispose();
        heap.dispose();
        snapshotter.dispose();
        trackedStates.clear();
        trackedQueues.clear();
    }

    @Override
    public String toString() {
        return "IncrementalHeapKeyedStateBackend";
    }
}
