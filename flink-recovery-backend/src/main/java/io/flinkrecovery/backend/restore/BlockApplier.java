package io.flinkrecovery.backend.restore;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.MapSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.runtime.state.KeyGroupedInternalPriorityQueue;
import org.apache.flink.runtime.state.StateEntry;
import org.apache.flink.runtime.state.heap.StateMap;
import org.apache.flink.runtime.state.heap.StateTable;

import io.flinkrecovery.backend.snapshot.BlockRef;
import io.flinkrecovery.backend.snapshot.SegmentFormat;

import javax.annotation.Nullable;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Verifies one block's CRC32C (over its stored bytes), decompresses it if it is stored compressed,
 * and applies its records to the heap: a base fills an empty key group, a delta puts and deletes
 * entries. The serializers are those of the manifest that references the block, i.e. those the
 * block was written with.
 *
 * <p>One applier per thread ({@link #duplicate()}): its serializers are its own. Appliers may run
 * concurrently on different key groups, whose heap maps are separate; the priority queues, one heap
 * per state, are written under their own lock.
 */
final class BlockApplier<K> {

    private final TypeSerializer<K> keySerializer;
    private final Map<String, KvTarget> kvTargets;
    private final Map<String, PqTarget> pqTargets;

    /** Where this applier's time went, for the restore's log line. */
    final RestoreTimes times = new RestoreTimes();

    BlockApplier(
            TypeSerializer<K> keySerializer,
            Map<String, KvTarget> kvTargets,
            Map<String, PqTarget> pqTargets) {
        this.keySerializer = keySerializer;
        this.kvTargets = kvTargets;
        this.pqTargets = pqTargets;
    }

    /** An applier with its own copies of the serializers, for another thread. */
    BlockApplier<K> duplicate() {
        Map<String, KvTarget> kv = new HashMap<>();
        kvTargets.forEach((name, target) -> kv.put(name, target.duplicate()));
        Map<String, PqTarget> pq = new HashMap<>();
        pqTargets.forEach((name, target) -> pq.put(name, target.duplicate()));
        return new BlockApplier<>(keySerializer.duplicate(), kv, pq);
    }

    /** Whether the manifest this applier restores has priority queues (timers). */
    boolean hasQueues() {
        return !pqTargets.isEmpty();
    }

    /** Throws an {@link IOException} naming the segment and key group if the CRC32C differs. */
    static void verify(BlockRef block, int keyGroup, byte[] data, int offset) throws IOException {
        CRC32C crc = new CRC32C();
        crc.update(data, offset, block.length());
        if ((int) crc.getValue() != block.crc()) {
            throw new IOException(
                    "Corrupt "
                            + block.describe(keyGroup)
                            + ": CRC32C is "
                            + Integer.toHexString((int) crc.getValue())
                            + ", the manifest says "
                            + Integer.toHexString(block.crc()));
        }
    }

    /** Checks the block, then applies all of its records. */
    void apply(BlockRef block, int keyGroup, byte[] data, int offset) throws IOException {
        applySections(open(block, keyGroup, data, offset), false);
    }

    /**
     * Checks the block and applies its leading priority-queue sections; returns the sections from
     * the first keyed one on, for {@link #applyRest}, or null if there are none. Only for blocks
     * whose queues come first ({@link BlockRef#queuesFirst()}): then every timer is applied.
     */
    @Nullable
    Rest applyQueues(BlockRef block, int keyGroup, byte[] data, int offset) throws IOException {
        Rest rest = open(block, keyGroup, data, offset);
        applySections(rest, true);
        return rest.sections > 0 ? rest : null;
    }

    /** Applies the sections that {@link #applyQueues} left, with this applier's serializers. */
    void applyRest(Rest rest) throws IOException {
        applySections(rest, false);
    }

    /**
     * Verifies the CRC32C, decompresses, checks the header; returns the block positioned at its
     * first section.
     */
    private Rest open(BlockRef block, int keyGroup, byte[] data, int offset) throws IOException {
        long start = System.nanoTime();
        verify(block, keyGroup, data, offset);
        times.verifyNanos += System.nanoTime() - start;
        byte[] raw = data;
        int rawOffset = offset;
        if (block.isCompressed()) {
            long decompressStart = System.nanoTime();
            raw = decompress(block, keyGroup, data, offset);
            rawOffset = 0;
            times.decompressNanos += System.nanoTime() - decompressStart;
        }
        DataInputDeserializer in = new DataInputDeserializer(raw, rawOffset, block.rawLength());
        int storedKeyGroup = in.readInt();
        byte kind = in.readByte();
        if (storedKeyGroup != keyGroup || kind != block.kind()) {
            throw new IOException(
                    "Block at offset "
                            + block.offset()
                            + " of segment "
                            + block.segment()
                            + " holds key group "
                            + storedKeyGroup
                            + ", expected "
                            + keyGroup);
        }
        return new Rest(block, keyGroup, raw, in, in.readInt());
    }

    /**
     * Applies the block's sections in order; with {@code queuesOnly}, up to its first keyed one.
     */
    private void applySections(Rest rest, boolean queuesOnly) throws IOException {
        BlockRef block = rest.block;
        int keyGroup = rest.keyGroup;
        DataInputDeserializer in = rest.in;
        boolean base = block.isBase();
        for (; rest.sections > 0; rest.sections--) {
            byte type = rest.bytes[in.getPosition()];
            if (queuesOnly
                    && (type == SegmentFormat.KEYED_STATE
                            || type == SegmentFormat.KEYED_STATE_REPLACE)) {
                return;
            }
            in.skipBytesToRead(1);
            String name = in.readUTF();
            if (type == SegmentFormat.KEYED_STATE) {
                applyKv(target(kvTargets, name, block), keyGroup, in, base);
            } else if (type == SegmentFormat.KEYED_STATE_REPLACE) {
                KvTarget target = target(kvTargets, name, block);
                removeAll(target.table.getMapForKeyGroup(keyGroup));
                applyKv(target, keyGroup, in, true);
            } else if (type == SegmentFormat.PRIORITY_QUEUE) {
                PqTarget target = target(pqTargets, name, block);
                synchronized (target.queue) {
                    applyPq(target, in, base);
                }
            } else if (type == SegmentFormat.PRIORITY_QUEUE_REPLACE) {
                PqTarget target = target(pqTargets, name, block);
                synchronized (target.queue) {
                    for (Object element : target.queue.getSubsetForKeyGroup(keyGroup).toArray()) {
                        target.queue.remove(element);
                    }
                    applyPq(target, in, true);
                }
            } else {
                throw new IOException(
                        "Unknown section type " + type + " in segment " + block.segment());
            }
        }
    }

    /**
     * The block's serialized bytes; throws an {@link IOException} naming it if they don't decode.
     */
    private static byte[] decompress(BlockRef block, int keyGroup, byte[] data, int offset)
            throws IOException {
        try {
            return block.compression().decompress(data, offset, block.length(), block.rawLength());
        } catch (IOException e) {
            throw new IOException(
                    "Cannot decompress the "
                            + block.compression()
                            + " "
                            + block.describe(keyGroup)
                            + " (its CRC32C matches, so it was stored like this): "
                            + e.getMessage(),
                    e);
        }
    }

    private static <T> T target(Map<String, T> targets, String name, BlockRef block)
            throws IOException {
        T target = targets.get(name);
        if (target == null) {
            throw new IOException(
                    "Segment "
                            + block.segment()
                            + " holds state "
                            + name
                            + " that its manifest lacks");
        }
        return target;
    }

    private void applyKv(KvTarget target, int keyGroup, DataInputDeserializer in, boolean base)
            throws IOException {
        int count = in.readInt();
        // Decode the whole section, then write it: the log can tell the two costs apart, and a
        // base's map is sized before its first entry.
        long start = System.nanoTime();
        byte[] ops = new byte[count];
        Object[] namespaces = new Object[count];
        Object[] keys = new Object[count];
        Object[] values = new Object[count];
        for (int i = 0; i < count; i++) {
            byte op = base ? SegmentFormat.PUT : in.readByte();
            ops[i] = op;
            namespaces[i] = target.namespaceSerializer.deserialize(in);
            keys[i] = keySerializer.deserialize(in);
            if (op == SegmentFormat.PUT) {
                values[i] = target.stateSerializer.deserialize(in);
            } else if (op == SegmentFormat.PATCH) {
                values[i] = MapPatch.read(target.mapSerializer(), in);
            } else if (op != SegmentFormat.DELETE) {
                throw new IOException("Unknown record type " + op + " of state " + target.name);
            }
        }
        long decoded = System.nanoTime();
        if (base) {
            StateMapPresizing.presize(target.table, keyGroup, count);
        }
        StateMap<Object, Object, Object> map = target.table.getMapForKeyGroup(keyGroup);
        for (int i = 0; i < count; i++) {
            if (ops[i] == SegmentFormat.PUT) {
                map.put(keys[i], namespaces[i], values[i]);
            } else if (ops[i] == SegmentFormat.PATCH) {
                ((MapPatch) values[i]).applyTo(map, keys[i], namespaces[i]);
            } else {
                map.remove(keys[i], namespaces[i]);
            }
        }
        times.decodeNanos += decoded - start;
        times.putNanos += System.nanoTime() - decoded;
        times.records += count;
    }

    private static void removeAll(StateMap<Object, Object, Object> map) {
        List<StateEntry<Object, Object, Object>> entries = new ArrayList<>(map.size());
        for (StateEntry<Object, Object, Object> entry : map) {
            entries.add(entry);
        }
        for (StateEntry<Object, Object, Object> entry : entries) {
            map.remove(entry.getKey(), entry.getNamespace());
        }
    }

    private static void applyPq(PqTarget target, DataInputDeserializer in, boolean base)
            throws IOException {
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
            byte op = base ? SegmentFormat.PUT : in.readByte();
            Object element = target.serializer.deserialize(in);
            if (op == SegmentFormat.PUT) {
                target.queue.add(element);
            } else {
                target.queue.remove(element);
            }
        }
    }

    /** The sections of a checked block that are still to be applied, and where they start. */
    static final class Rest {
        final BlockRef block;
        final int keyGroup;
        private final byte[] bytes;
        private final DataInputDeserializer in;
        private int sections;

        private Rest(
                BlockRef block,
                int keyGroup,
                byte[] bytes,
                DataInputDeserializer in,
                int sections) {
            this.block = block;
            this.keyGroup = keyGroup;
            this.bytes = bytes;
            this.in = in;
            this.sections = sections;
        }
    }

    /** Where a keyed state's records go, and how they were serialized. */
    static final class KvTarget {
        final String name;
        final StateTable<Object, Object, Object> table;
        final TypeSerializer<Object> namespaceSerializer;
        final TypeSerializer<Object> stateSerializer;

        @SuppressWarnings("unchecked")
        KvTarget(
                String name,
                StateTable<?, ?, ?> table,
                TypeSerializer<?> namespaceSerializer,
                TypeSerializer<?> stateSerializer) {
            this.name = name;
            this.table = (StateTable<Object, Object, Object>) table;
            this.namespaceSerializer = (TypeSerializer<Object>) namespaceSerializer;
            this.stateSerializer = (TypeSerializer<Object>) stateSerializer;
        }

        /** The serializer of a map state, whose deltas may patch user keys. */
        @SuppressWarnings("unchecked")
        MapSerializer<Object, Object> mapSerializer() throws IOException {
            if (!(stateSerializer instanceof MapSerializer)) {
                throw new IOException(
                        "A delta patches user keys of state "
                                + name
                                + ", whose serializer "
                                + stateSerializer
                                + " is not a map serializer");
            }
            return (MapSerializer<Object, Object>) (TypeSerializer<?>) stateSerializer;
        }

        KvTarget duplicate() {
            return new KvTarget(
                    name, table, namespaceSerializer.duplicate(), stateSerializer.duplicate());
        }
    }

    /** Where a priority queue's elements go, and how they were serialized. */
    static final class PqTarget {
        final KeyGroupedInternalPriorityQueue<Object> queue;
        final TypeSerializer<Object> serializer;

        @SuppressWarnings("unchecked")
        PqTarget(KeyGroupedInternalPriorityQueue<Object> queue, TypeSerializer<?> serializer) {
            this.queue = queue;
            this.serializer = (TypeSerializer<Object>) serializer;
        }

        PqTarget duplicate() {
            return new PqTarget(queue, serializer.duplicate());
        }
    }
}
