package io.flinkrecovery.backend.snapshot;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.MapSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.state.heap.StateMapSnapshot;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Serializes one key group's block (see {@link SegmentFormat}) from a {@link SnapshotPlan}. Reads
 * each copy-on-write snapshot exactly once, because a snapshot transformer flattens it in place.
 */
final class BlockWriter<K> {

    private final SnapshotPlan<K> plan;
    private final DataOutputSerializer out = new DataOutputSerializer(64 * 1024);
    private int entries;
    private boolean wroteQueues;

    BlockWriter(SnapshotPlan<K> plan) {
        this.plan = plan;
    }

    /** Serializes the block of the key group at {@code index} and returns its bytes' length. */
    int write(int index, boolean base) throws IOException {
        out.clear();
        entries = 0;
        wroteQueues = false;
        out.writeInt(plan.keyGroupRange.getKeyGroupId(index));
        out.writeByte(base ? BlockRef.BASE : BlockRef.DELTA);
        int sectionsAt = out.length();
        out.writeInt(0);
        int sections = 0;
        // Queues first (QueueSections.FIRST): a restore applies them and may defer the rest.
        for (SnapshotPlan.PqWork<?> work : plan.pqWork) {
            if (base ? writePqBase(work, index) : writePqDelta(work, index)) {
                sections++;
                wroteQueues = true;
            }
        }
        for (SnapshotPlan.KvWork<K, ?, ?> work : plan.kvWork) {
            if (base ? writeKvBase(work, index) : writeKvDelta(work, index)) {
                sections++;
            }
        }
        out.writeIntUnsafe(sections, sectionsAt);
        return out.length();
    }

    byte[] buffer() {
        return out.getSharedBuffer();
    }

    int entries() {
        return entries;
    }

    /** Where the last block's queue sections are: first, or none. */
    QueueSections queues() {
        return wroteQueues ? QueueSections.FIRST : QueueSections.NONE;
    }

    private <N, S> boolean writeKvBase(SnapshotPlan.KvWork<K, N, S> work, int index)
            throws IOException {
        StateMapSnapshot<K, N, S, ?> snapshot = work.snapshots[index];
        if (snapshot == null) {
            return false;
        }
        out.writeByte(SegmentFormat.KEYED_STATE);
        out.writeUTF(work.name);
        writeWholeMap(work, snapshot);
        return true;
    }

    private <N, S> boolean writeKvDelta(SnapshotPlan.KvWork<K, N, S> work, int index)
            throws IOException {
        if (work.replace[index]) {
            return writeKvReplace(work, index);
        }
        List<HashSet<Object>> dirty = work.dirty[index];
        if (dirty == null) {
            return false;
        }
        ChangedEntries<S> changed = ChangedEntries.read(work.snapshots[index], dirty, work);
        out.writeByte(SegmentFormat.KEYED_STATE);
        out.writeUTF(work.name);
        out.writeInt(changed.records());
        for (Map.Entry<Object, S> entry : changed.whole.entrySet()) {
            S value = entry.getValue();
            out.writeByte(value == null ? SegmentFormat.DELETE : SegmentFormat.PUT);
            writeKeyAndNamespace(work, entry.getKey());
            if (value != null) {
                work.stateSerializer.serialize(value, out);
            }
        }
        for (Map.Entry<Object, Map<?, ?>> entry : changed.patchedMaps.entrySet()) {
            Map<?, ?> map = entry.getValue();
            out.writeByte(map == null ? SegmentFormat.DELETE : SegmentFormat.PATCH);
            writeKeyAndNamespace(work, entry.getKey());
            if (map != null) {
                writePatch(work, map, changed.patchedKeys.get(entry.getKey()));
            }
        }
        entries += changed.records();
        return true;
    }

    /**
     * The changed user keys of one map: {@code int count}, then per user key {@code byte op, user
     * key} and, for {@link SegmentFormat#PUT}, {@code boolean isNull} and the value unless null.
     */
    @SuppressWarnings("unchecked")
    private <N, S> void writePatch(
            SnapshotPlan.KvWork<K, N, S> work, Map<?, ?> map, Set<Object> userKeys)
            throws IOException {
        MapSerializer<Object, Object> serializer =
                (MapSerializer<Object, Object>) (TypeSerializer<?>) work.stateSerializer;
        out.writeInt(userKeys.size());
        for (Object userKey : userKeys) {
            boolean present = map.containsKey(userKey);
            out.writeByte(present ? SegmentFormat.PUT : SegmentFormat.DELETE);
            serializer.getKeySerializer().serialize(userKey, out);
            if (present) {
                Object value = map.get(userKey);
                out.writeBoolean(value == null);
                if (value != null) {
                    serializer.getValueSerializer().serialize(value, out);
                }
            }
        }
    }

    private <N, S> boolean writeKvReplace(SnapshotPlan.KvWork<K, N, S> work, int index)
            throws IOException {
        out.writeByte(SegmentFormat.KEYED_STATE_REPLACE);
        out.writeUTF(work.name);
        StateMapSnapshot<K, N, S, ?> snapshot = work.snapshots[index];
        if (snapshot == null) {
            out.writeInt(0);
            return true;
        }
        writeWholeMap(work, snapshot);
        return true;
    }

    /** Writes every entry of a key group's map snapshot: its count, then the entries. */
    private <N, S> void writeWholeMap(
            SnapshotPlan.KvWork<K, N, S> work, StateMapSnapshot<K, N, S, ?> snapshot)
            throws IOException {
        int countAt = out.length();
        snapshot.writeState(
                work.keySerializer,
                work.namespaceSerializer,
                work.stateSerializer,
                out,
                work.transformer);
        entries += readInt(countAt);
    }

    @SuppressWarnings("unchecked")
    private <N, S> void writeKeyAndNamespace(SnapshotPlan.KvWork<K, N, S> work, Object id)
            throws IOException {
        work.namespaceSerializer.serialize((N) DirtyKeys.namespaceOf(id), out);
        work.keySerializer.serialize((K) DirtyKeys.keyOf(id), out);
    }

    @SuppressWarnings("unchecked")
    private <T> boolean writePqBase(SnapshotPlan.PqWork<T> work, int index) throws IOException {
        return work.elements[index] != null
                && writePqElements(SegmentFormat.PRIORITY_QUEUE, work, index);
    }

    /** Writes every element of a key group's queue, as a base or as a replacing delta section. */
    @SuppressWarnings("unchecked")
    private <T> boolean writePqElements(byte sectionType, SnapshotPlan.PqWork<T> work, int index)
            throws IOException {
        Object[] elements = work.elements[index];
        out.writeByte(sectionType);
        out.writeUTF(work.name);
        out.writeInt(elements.length);
        TypeSerializer<T> serializer = work.serializer;
        for (Object element : elements) {
            serializer.serialize((T) element, out);
        }
        entries += elements.length;
        return true;
    }

    @SuppressWarnings("unchecked")
    private <T> boolean writePqDelta(SnapshotPlan.PqWork<T> work, int index) throws IOException {
        if (work.elements[index] != null) {
            return writePqElements(SegmentFormat.PRIORITY_QUEUE_REPLACE, work, index);
        }
        Map<Object, Boolean> changes = work.changes[index];
        if (changes == null) {
            return false;
        }
        out.writeByte(SegmentFormat.PRIORITY_QUEUE);
        out.writeUTF(work.name);
        out.writeInt(changes.size());
        for (Map.Entry<Object, Boolean> change : changes.entrySet()) {
            out.writeByte(change.getValue() ? SegmentFormat.PUT : SegmentFormat.DELETE);
            work.serializer.serialize((T) change.getKey(), out);
        }
        entries += changes.size();
        return true;
    }

    private int readInt(int at) {
        byte[] b = out.getSharedBuffer();
        return ((b[at] & 0xff) << 24)
                | ((b[at + 1] & 0xff) << 16)
                | ((b[at + 2] & 0xff) << 8)
                | (b[at + 3] & 0xff);
    }
}
