package io.flinkrecovery.backend.snapshot;

import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupedInternalPriorityQueue;
import org.apache.flink.runtime.state.RegisteredKeyValueStateBackendMetaInfo;
import org.apache.flink.runtime.state.RegisteredPriorityQueueStateBackendMetaInfo;
import org.apache.flink.runtime.state.StateEntry;
import org.apache.flink.runtime.state.heap.StateMap;
import org.apache.flink.runtime.state.heap.StateTable;
import org.apache.flink.runtime.state.metainfo.StateMetaInfoSnapshot;
import org.apache.flink.runtime.state.metainfo.StateMetaInfoSnapshotReadersWriters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every keyed state and priority queue of one keyed backend, each with its heap table or queue and
 * its {@link DirtyKeys}. Task thread only.
 */
public final class TrackedStates<K> {

    private final KeyGroupRange keyGroupRange;
    private final int numberOfKeyGroups;
    private final Map<String, KvState<K, ?, ?>> kvStates = new LinkedHashMap<>();
    private final Map<String, PqState<?>> pqStates = new LinkedHashMap<>();

    public TrackedStates(KeyGroupRange keyGroupRange, int numberOfKeyGroups) {
        this.keyGroupRange = keyGroupRange;
        this.numberOfKeyGroups = numberOfKeyGroups;
    }

    public KeyGroupRange keyGroupRange() {
        return keyGroupRange;
    }

    /** The total number of key groups (the maximum parallelism). */
    public int numberOfKeyGroups() {
        return numberOfKeyGroups;
    }

    /** Registers a keyed state's table, or returns the state already registered under its name. */
    public <N, S> KvState<K, N, S> registerKv(String name, StateTable<K, N, S> table) {
        @SuppressWarnings("unchecked")
        KvState<K, N, S> state = (KvState<K, N, S>) kvStates.get(name);
        if (state == null) {
            state =
                    new KvState<>(
                            name,
                            table,
                            new DirtyKeys(
                                    keyGroupRange, keyGroup -> trackedEntries(table, keyGroup)));
            kvStates.put(name, state);
        }
        return state;
    }

    /**
     * The entries of a key group as dirty tracking counts them: for map state, whose changes are
     * tracked per user key, the user entries of all its maps.
     */
    private static <K, N, S> int trackedEntries(StateTable<K, N, S> table, int keyGroup) {
        StateMap<K, N, S> map = table.getMapForKeyGroup(keyGroup);
        if (table.getMetaInfo().getStateType() != StateDescriptor.Type.MAP) {
            return map.size();
        }
        return (int) Math.min(Integer.MAX_VALUE, userEntries(map, Integer.MAX_VALUE));
    }

    /**
     * The mean number of user entries per map of a map state's key group, from up to {@code sample}
     * of its maps; 1 for other states and empty key groups.
     */
    public static <K, N, S> double meanMapSize(
            StateTable<K, N, S> table, int keyGroup, int sample) {
        if (table.getMetaInfo().getStateType() != StateDescriptor.Type.MAP) {
            return 1;
        }
        StateMap<K, N, S> map = table.getMapForKeyGroup(keyGroup);
        int maps = Math.min(sample, map.size());
        return maps == 0 ? 1 : Math.max(1, userEntries(map, maps) / (double) maps);
    }

    /** The user entries of the first {@code maps} maps of a map state's key group. */
    private static <K, N, S> long userEntries(StateMap<K, N, S> map, int maps) {
        long userEntries = 0;
        int read = 0;
        for (StateEntry<K, N, S> entry : map) {
            if (read++ == maps) {
                break;
            }
            userEntries += ((Map<?, ?>) entry.getState()).size();
        }
        return userEntries;
    }

    /** Registers a priority queue, or updates the serializer of the one already registered. */
    public <T> PqState<T> registerPq(
            String name, KeyGroupedInternalPriorityQueue<T> queue, TypeSerializer<T> serializer) {
        @SuppressWarnings("unchecked")
        PqState<T> state = (PqState<T>) pqStates.get(name);
        if (state == null) {
            state =
                    new PqState<>(
                            name,
                            queue,
                            new DirtyKeys(
                                    keyGroupRange,
                                    keyGroup -> queue.getSubsetForKeyGroup(keyGroup).size()));
            pqStates.put(name, state);
        }
        state.setSerializer(serializer);
        return state;
    }

    /** The keyed state registered under {@code name}, or null. */
    public KvState<K, ?, ?> kv(String name) {
        return kvStates.get(name);
    }

    public Collection<KvState<K, ?, ?>> kvStates() {
        return Collections.unmodifiableCollection(kvStates.values());
    }

    public Collection<PqState<?>> pqStates() {
        return Collections.unmodifiableCollection(pqStates.values());
    }

    /** The id of a keyed state in fingerprints and change sets. */
    public static String kvId(String name) {
        return "kv:" + name;
    }

    /** The id of a priority queue in fingerprints and change sets. */
    public static String pqId(String name) {
        return "pq:" + name;
    }

    public boolean isEmpty() {
        return kvStates.isEmpty() && pqStates.isEmpty();
    }

    /** The serialized form of a state's meta info: equal bytes mean equal serializers. */
    public static byte[] fingerprint(StateMetaInfoSnapshot snapshot) {
        DataOutputSerializer out = new DataOutputSerializer(128);
        try {
            StateMetaInfoSnapshotReadersWriters.getWriter()
                    .writeStateMetaInfoSnapshot(snapshot, out);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot serialize the meta data of state " + snapshot.getName(), e);
        }
        return out.getCopyOfBuffer();
    }

    /** One keyed state: its heap table and its changes. */
    public static final class KvState<K, N, S> {
        private final String name;
        private final StateTable<K, N, S> table;
        private final DirtyKeys dirty;
        private RegisteredKeyValueStateBackendMetaInfo<N, S> fingerprintedMetaInfo;
        private byte[] fingerprint;

        KvState(String name, StateTable<K, N, S> table, DirtyKeys dirty) {
            this.name = name;
            this.table = table;
            this.dirty = dirty;
        }

        public String name() {
            return name;
        }

        public StateTable<K, N, S> table() {
            return table;
        }

        public DirtyKeys dirty() {
            return dirty;
        }

        /**
         * The serialized meta info (serializer snapshots) the table has now. Recomputed only when
         * the heap replaced the table's meta info, i.e. when the state was registered again.
         */
        byte[] fingerprint(StateMetaInfoSnapshot snapshot) {
            RegisteredKeyValueStateBackendMetaInfo<N, S> metaInfo = table.getMetaInfo();
            if (metaInfo != fingerprintedMetaInfo) {
                fingerprint = TrackedStates.fingerprint(snapshot);
                fingerprintedMetaInfo = metaInfo;
            }
            return fingerprint;
        }
    }

    /** One priority queue (timers): the heap's queue, its current serializer and its changes. */
    public static final class PqState<T> {
        private final String name;
        private final KeyGroupedInternalPriorityQueue<T> queue;
        private final DirtyKeys dirty;
        private TypeSerializer<T> serializer;
        private byte[] fingerprint;

        PqState(String name, KeyGroupedInternalPriorityQueue<T> queue, DirtyKeys dirty) {
            this.name = name;
            this.queue = queue;
            this.dirty = dirty;
        }

        public String name() {
            return name;
        }

        public KeyGroupedInternalPriorityQueue<T> queue() {
            return queue;
        }

        public DirtyKeys dirty() {
            return dirty;
        }

        public TypeSerializer<T> serializer() {
            return serializer;
        }

        void setSerializer(TypeSerializer<T> serializer) {
            if (serializer != this.serializer) {
                this.serializer = serializer;
                this.fingerprint = null;
            }
        }

        StateMetaInfoSnapshot metaInfoSnapshot() {
            return new RegisteredPriorityQueueStateBackendMetaInfo<>(name, serializer).snapshot();
        }

        byte[] fingerprint(StateMetaInfoSnapshot snapshot) {
            if (fingerprint == null) {
                fingerprint = TrackedStates.fingerprint(snapshot);
            }
            return fingerprint;
        }
    }
}
