package org.apache.flink.runtime.state.heap;

import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.runtime.state.StateEntry;
import org.apache.flink.runtime.state.StateTransformationFunction;

/**
 * A {@link CopyOnWriteStateMap} that reports the key and namespace of every entry it writes.
 *
 * <p>flink-recovery tracks writes by wrapping the states that the heap hands out. That is not
 * possible under TTL: TTL decorates the heap's own state object, and Flink's TTL suite reads that
 * object's table directly. Every write of such a state, including TTL's lazy expiry and its
 * incremental cleanup of other keys, still ends in the state table's per-key-group maps, so this
 * map is installed there instead.
 *
 * <p>It lives in Flink's package because {@link CopyOnWriteStateMap}'s constructor is
 * package-private. It, {@link SnapshotLookup} and {@link DeferredStateMap} are flink-recovery's
 * only classes outside {@code io.flinkrecovery}, and it changes no behaviour of the map.
 */
public final class WriteReportingStateMap<K, N, S> extends CopyOnWriteStateMap<K, N, S> {

    /** Told of each written entry. */
    @FunctionalInterface
    public interface WriteListener {
        void written(int keyGroup, Object key, Object namespace);
    }

    private final int keyGroup;
    private final WriteListener listener;

    /**
     * Whether the heap changes the object a read returns in place: its list and map states append
     * to the list or put into the map that {@code get} returned.
     */
    private final boolean readsMayWrite;

    private WriteReportingStateMap(
            TypeSerializer<S> stateSerializer,
            int keyGroup,
            WriteListener listener,
            boolean readsMayWrite) {
        super(stateSerializer);
        this.keyGroup = keyGroup;
        this.listener = listener;
        this.readsMayWrite = readsMayWrite;
    }

    /**
     * Replaces each key group's map of a copy-on-write table with one that reports its writes to
     * {@code listener}, carrying the entries over unreported. Maps that already report stay.
     */
    @SuppressWarnings("unchecked")
    public static <K, N, S> void install(StateTable<K, N, S> table, WriteListener listener) {
        StateDescriptor.Type type = table.getMetaInfo().getStateType();
        boolean readsMayWrite =
                type != StateDescriptor.Type.VALUE
                        && type != StateDescriptor.Type.REDUCING
                        && type != StateDescriptor.Type.AGGREGATING;
        StateMap<K, N, S>[] maps = table.getState();
        for (int i = 0; i < maps.length; i++) {
            if (maps[i] instanceof WriteReportingStateMap) {
                continue;
            }
            if (!(maps[i] instanceof CopyOnWriteStateMap)) {
                throw new IllegalStateException(
                        "State "
                                + table.getMetaInfo().getName()
                                + " is not held in a copy-on-write table: "
                                + maps[i].getClass().getName());
            }
            CopyOnWriteStateMap<K, N, S> old = (CopyOnWriteStateMap<K, N, S>) maps[i];
            WriteReportingStateMap<K, N, S> reporting =
                    new WriteReportingStateMap<>(
                            old.getStateSerializer(),
                            table.getKeyGroupOffset() + i,
                            listener,
                            readsMayWrite);
            // A running snapshot may still read the old map's values: share none it could see.
            boolean snapshotRunning = !old.getSnapshotVersions().isEmpty();
            for (StateEntry<K, N, S> entry : old) {
                S state = entry.getState();
                reporting.putUnreported(
                        entry.getKey(),
                        entry.getNamespace(),
                        snapshotRunning ? old.getStateSerializer().copy(state) : state);
            }
            maps[i] = reporting;
        }
    }

    private void putUnreported(K key, N namespace, S state) {
        super.put(key, namespace, state);
    }

    @Override
    public S get(K key, N namespace) {
        S state = super.get(key, namespace);
        if (readsMayWrite && state != null) {
            listener.written(keyGroup, key, namespace);
        }
        return state;
    }

    @Override
    public void put(K key, N namespace, S value) {
        super.put(key, namespace, value);
        listener.written(keyGroup, key, namespace);
    }

    @Override
    public S putAndGetOld(K key, N namespace, S state) {
        S old = super.putAndGetOld(key, namespace, state);
        listener.written(keyGroup, key, namespace);
        return old;
    }

    @Override
    public void remove(K key, N namespace) {
        super.remove(key, namespace);
        listener.written(keyGroup, key, namespace);
    }

    @Override
    public S removeAndGetOld(K key, N namespace) {
        S old = super.removeAndGetOld(key, namespace);
        listener.written(keyGroup, key, namespace);
        return old;
    }

    @Override
    public <T> void transform(
            K key, N namespace, T value, StateTransformationFunction<S, T> transformation)
            throws Exception {
        super.transform(key, namespace, value, transformation);
        listener.written(keyGroup, key, namespace);
    }
}
