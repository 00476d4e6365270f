package io.flinkrecovery.backend.snapshot;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataInputViewStreamWrapper;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyedBackendSerializationProxy;
import org.apache.flink.runtime.state.StreamStateHandle;
import org.apache.flink.runtime.state.metainfo.StateMetaInfoSnapshot;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The meta handle of an incremental heap snapshot: the key serializer and state meta data (in
 * Flink's {@link KeyedBackendSerializationProxy} form), then for every key group of the range its
 * chain of blocks. It starts with a magic number so that restore can tell our handles from other
 * backends' {@code IncrementalRemoteKeyedStateHandle}s.
 *
 * <p>Version 2 adds to every block how it is stored ({@link BlockCompression}) and its length
 * before compression; version 3 adds where the block's priority-queue sections are ({@link
 * QueueSections}: first, none, or, for older blocks, anywhere). A manifest is written in the lowest
 * version that describes its blocks, so that a chain of blocks from before a feature can still be
 * restored by the flink-recovery that wrote them. All three versions are read.
 */
public final class Manifest {

    /** "FRIH": flink-recovery incremental heap. */
    public static final int MAGIC = 0x46524948;

    /** The version of a manifest with a block whose queues come first: every new block. */
    public static final int VERSION = 3;

    /** The version of a manifest with at least one compressed block, and none of version 3. */
    public static final int VERSION_COMPRESSED = 2;

    /** The version before block compression: every block stored as serialized. */
    public static final int VERSION_UNCOMPRESSED = 1;

    private final TypeSerializerSnapshot<?> keySerializerSnapshot;
    private final List<StateMetaInfoSnapshot> stateMetaInfos;
    private final KeyGroupRange keyGroupRange;
    private final List<List<BlockRef>> chains;

    private Manifest(
            TypeSerializerSnapshot<?> keySerializerSnapshot,
            List<StateMetaInfoSnapshot> stateMetaInfos,
            KeyGroupRange keyGroupRange,
            List<List<BlockRef>> chains) {
        this.keySerializerSnapshot = keySerializerSnapshot;
        this.stateMetaInfos = stateMetaInfos;
        this.keyGroupRange = keyGroupRange;
        this.chains = chains;
    }

    public static <K> void write(
            DataOutputView out,
            TypeSerializer<K> keySerializer,
            List<StateMetaInfoSnapshot> stateMetaInfos,
            KeyGroupRange keyGroupRange,
            List<List<BlockRef>> chains)
            throws IOException {
        int version = VERSION_UNCOMPRESSED;
        for (List<BlockRef> chain : chains) {
            for (BlockRef block : chain) {
                if (block.queuesFirst()) {
                    version = VERSION;
                } else if (block.isCompressed()) {
                    version = Math.max(version, VERSION_COMPRESSED);
                }
            }
        }
        out.writeInt(MAGIC);
        out.writeInt(version);
        out.writeInt(keyGroupRange.getStartKeyGroup());
        out.writeInt(keyGroupRange.getEndKeyGroup());

        Map<String, Integer> segmentIds = new LinkedHashMap<>();
        for (List<BlockRef> chain : chains) {
            for (BlockRef block : chain) {
                segmentIds.putIfAbsent(block.segment(), segmentIds.size());
            }
        }
        out.writeInt(segmentIds.size());
        for (String segment : segmentIds.keySet()) {
            out.writeUTF(segment);
        }
        for (List<BlockRef> chain : chains) {
            out.writeInt(chain.size());
            for (BlockRef block : chain) {
                out.writeInt(segmentIds.get(block.segment()));
                out.writeLong(block.offset());
                out.writeInt(block.length());
                out.writeInt(block.crc());
                out.writeByte(block.kind());
                out.writeInt(block.entries());
                if (version >= VERSION_COMPRESSED) {
                    out.writeByte(block.compression().id());
                    out.writeInt(block.rawLength());
                }
                if (version >= VERSION) {
                    out.writeByte(block.queues().id());
                }
            }
        }
        // Serializers last: the inspector reads the blocks without the job's classes.
        new KeyedBackendSerializationProxy<>(keySerializer, stateMetaInfos, false).write(out);
    }

    /** Whether the handle starts with our magic number; never throws for a short handle. */
    public static boolean isManifest(StreamStateHandle handle) throws IOException {
        try (FSDataInputStream in = handle.openInputStream()) {
            return new DataInputViewStreamWrapper(in).readInt() == MAGIC;
        } catch (EOFException e) {
            return false;
        }
    }

    public static Manifest read(StreamStateHandle handle, ClassLoader classLoader)
            throws IOException {
        try (FSDataInputStream in = handle.openInputStream()) {
            return read(new DataInputViewStreamWrapper(in), classLoader, handle.toString());
        }
    }

    static Manifest read(DataInputView in, ClassLoader classLoader, String source)
            throws IOException {
        Manifest blocks = readBlocksFrom(in, source);
        KeyedBackendSerializationProxy<?> proxy = new KeyedBackendSerializationProxy<>(classLoader);
        proxy.read(in);
        return new Manifest(
                proxy.getKeySerializerSnapshot(),
                proxy.getStateMetaInfoSnapshots(),
                blocks.keyGroupRange,
                blocks.chains);
    }

    /**
     * Reads only the key-group range and the block chains, not the serializers, so it needs none of
     * the job's classes: for the restore inspector. The result has no key serializer snapshot and
     * no state meta data.
     */
    public static Manifest readBlocks(InputStream in, String source) throws IOException {
        return readBlocksFrom(new DataInputViewStreamWrapper(in), source);
    }

    private static Manifest readBlocksFrom(DataInputView in, String source) throws IOException {
        int magic = in.readInt();
        if (magic != MAGIC) {
            throw new IOException(
                    "Cannot read "
                            + source
                            + ": not a manifest of IncrementalHeapStateBackend (magic 0x"
                            + Integer.toHexString(magic)
                            + ")");
        }
        int version = in.readInt();
        if (version < VERSION_UNCOMPRESSED || version > VERSION) {
            throw new IOException(
                    "Cannot read "
                            + source
                            + ": unsupported manifest version "
                            + version
                            + " (this flink-recovery reads versions "
                            + VERSION_UNCOMPRESSED
                            + " to "
                            + VERSION
                            + "; restore it with the flink-recovery version that wrote it, or a"
                            + " newer one)");
        }
        KeyGroupRange range = new KeyGroupRange(in.readInt(), in.readInt());
        int numSegments = in.readInt();
        List<String> segments = new ArrayList<>(numSegments);
        for (int i = 0; i < numSegments; i++) {
            segments.add(in.readUTF());
        }
        List<List<BlockRef>> chains = new ArrayList<>(range.getNumberOfKeyGroups());
        for (int i = 0; i < range.getNumberOfKeyGroups(); i++) {
            int length = in.readInt();
            List<BlockRef> chain = new ArrayList<>(length);
            for (int j = 0; j < length; j++) {
                String segment = segments.get(in.readInt());
                long offset = in.readLong();
                int blockLength = in.readInt();
                int crc = in.readInt();
                byte kind = in.readByte();
                int entries = in.readInt();
                BlockCompression compression = BlockCompression.NONE;
                int rawLength = blockLength;
                if (version >= VERSION_COMPRESSED) {
                    byte id = in.readByte();
                    compression = BlockCompression.ofId(id);
                    rawLength = in.readInt();
                    if (compression == null) {
                        throw unknownBlockField(
                                source, j, range.getKeyGroupId(i), segment, "compression", id);
                    }
                }
                QueueSections queues = QueueSections.ANY_ORDER;
                if (version >= VERSION) {
                    byte id = in.readByte();
                    queues = QueueSections.ofId(id);
                    if (queues == null) {
                        throw unknownBlockField(
                                source, j, range.getKeyGroupId(i), segment, "queue sections", id);
                    }
                }
                chain.add(
                        new BlockRef(
                                segment,
                                offset,
                                blockLength,
                                crc,
                                kind,
                                entries,
                                compression,
                                rawLength,
                                queues));
            }
            chains.add(Collections.unmodifiableList(chain));
        }
        return new Manifest(null, List.of(), range, Collections.unmodifiableList(chains));
    }

    /** A block field this version does not know: it was written by a newer flink-recovery. */
    private static IOException unknownBlockField(
            String source, int block, int keyGroup, String segment, String field, byte id) {
        return new IOException(
                "Cannot read "
                        + source
                        + ": block "
                        + block
                        + " of key group "
                        + keyGroup
                        + " in segment "
                        + segment
                        + " has unknown "
                        + field
                        + " "
                        + id
                        + "; restore it with the flink-recovery version that wrote it, or a"
                        + " newer one");
    }

    public TypeSerializerSnapshot<?> keySerializerSnapshot() {
        return keySerializerSnapshot;
    }

    public List<StateMetaInfoSnapshot> stateMetaInfos() {
        return stateMetaInfos;
    }

    public KeyGroupRange keyGroupRange() {
        return keyGroupRange;
    }

    public List<List<BlockRef>> chains() {
        return chains;
    }

    public List<BlockRef> chain(int keyGroup) {
        return chains.get(keyGroup - keyGroupRange.getStartKeyGroup());
    }
}
