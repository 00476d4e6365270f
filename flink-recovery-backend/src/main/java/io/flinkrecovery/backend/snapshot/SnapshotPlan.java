package io.flinkrecovery.backend.snapshot;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.SnapshotResources;
import org.apache.flink.runtime.state.StateSnapshotTransformer;
import org.apache.flink.runtime.state.heap.StateMapSnapshot;
import org.apache.flink.runtime.state.metainfo.StateMetaInfoSnapshot;

import javax.annotation.Nullable;

import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * What the synchronous phase of one snapshot captured: per key group what to write, copy-on-write
 * snapshots of the key groups to write, the timers to write and the changes since the confirmed
 * layout. Holds no serialized bytes. {@link #release()} lets the heap stop copying on write.
 */
final class SnapshotPlan<K> implements SnapshotResources {

    /** What a snapshot does with one key group. */
    enum Action {
        /** Reference the confirmed chain unchanged. */
        KEEP,
        /** Append a delta to the confirmed chain. */
        DELTA,
        /** Write a fresh base; the chain starts over. */
        BASE,
        /** The key group holds nothing; its chain is empty. */
        EMPTY
    }

    final long checkpointId;
    final KeyGroupRange keyGroupRange;
    final TypeSerializer<K> keySerializer;
    final List<StateMetaInfoSnapshot> metaInfos;
    final Map<String, byte[]> fingerprints;
    final SnapshotBase base;

    /** The drain number of the changes this snapshot holds ({@link SnapshotHistory#addChanges}). */
    final long drain;

    final Action[] actions;
    final List<KvWork<K, ?, ?>> kvWork;
    final List<PqWork<?>> pqWork;

    SnapshotPlan(
            long checkpointId,
            KeyGroupRange keyGroupRange,
            TypeSerializer<K> keySerializer,
            List<StateMetaInfoSnapshot> metaInfos,
            Map<String, byte[]> fingerprints,
            SnapshotBase base,
            long drain,
            Action[] actions,
            List<KvWork<K, ?, ?>> kvWork,
            List<PqWork<?>> pqWork) {
        this.checkpointId = checkpointId;
        this.keyGroupRange = keyGroupRange;
        this.keySerializer = keySerializer;
        this.metaInfos = metaInfos;
        this.fingerprints = fingerprints;
        this.base = base;
        this.drain = drain;
        this.actions = actions;
        this.kvWork = kvWork;
        this.pqWork = pqWork;
    }

    boolean writesAnything() {
        for (Action action : actions) {
            if (action == Action.DELTA || action == Action.BASE) {
                return true;
            }
        }
        return false;
    }

    /** Releases the copy-on-write snapshots of one key group (by index in the range). */
    void release(int index) {
        for (KvWork<K, ?, ?> work : kvWork) {
            work.release(index);
        }
    }

    @Override
    public void release() {
        for (int i = 0; i < actions.length; i++) {
            release(i);
        }
    }

    /** One keyed state's part of the snapshot. */
    static final class KvWork<K, N, S> {
        final String name;
        final TypeSerializer<K> keySerializer;
        final TypeSerializer<N> namespaceSerializer;
        final TypeSerializer<S> stateSerializer;
        @Nullable final StateSnapshotTransformer<S> transformer;

        /** Per key group index: the map snapshot to read, or null. */
        final StateMapSnapshot<K, N, S, ?>[] snapshots;

        /**
         * Per key group index of a delta: the dirty sets of the entries changed since its chain
         * (ids as {@link DirtyKeys#entryId} makes them; sets are never written once drained). The
         * asynchronous phase reads their values from the copy-on-write snapshot in {@link
         * #snapshots}.
         */
        final List<HashSet<Object>>[] dirty;

        /** Per key group index of a delta: whether it replaces the key group's entries whole. */
        final boolean[] replace;

        @SuppressWarnings("unchecked")
        KvWork(
                String name,
                TypeSerializer<K> keySerializer,
                TypeSerializer<N> namespaceSerializer,
                TypeSerializer<S> stateSerializer,
                @Nullable StateSnapshotTransformer<S> transformer,
                int numberOfKeyGroups) {
            this.name = name;
            this.keySerializer = keySerializer;
            this.namespaceSerializer = namespaceSerializer;
            this.stateSerializer = stateSerializer;
            this.transformer = transformer;
            this.snapshots =
                    (StateMapSnapshot<K, N, S, ?>[])
                            new StateMapSnapshot<?, ?, ?, ?>[numberOfKeyGroups];
            this.dirty = (List<HashSet<Object>>[]) new List<?>[numberOfKeyGroups];
            this.replace = new boolean[numberOfKeyGroups];
        }

        void release(int index) {
            dirty[index] = null;
            StateMapSnapshot<K, N, S, ?> snapshot = snapshots[index];
            if (snapshot != null) {
                snapshots[index] = null;
                snapshot.release();
            }
        }
    }

    /** One priority queue's part of the snapshot: copies of the elements to write. */
    static final class PqWork<T> {
        final String name;
        final TypeSerializer<T> serializer;

        /** Per key group index: all elements (for a base or a replacing delta), or null. */
        final Object[][] elements;

        /** Per key group index: changed element to whether it is present (for a delta), or null. */
        final Map<Object, Boolean>[] changes;

        @SuppressWarnings("unchecked")
        PqWork(String name, TypeSerializer<T> serializer, int numberOfKeyGroups) {
            this.name = name;
            this.serializer = serializer;
            this.elements = new Object[numberOfKeyGroups][];
            this.changes = (Map<Object, Boolean>[]) new Map<?, ?>[numberOfKeyGroups];
        }
    }
}
