package io.flinkrecovery.backend.snapshot;

import java.util.Objects;

/**
 * Where one key group's base or delta lives: a byte range of a segment, the CRC32C of those stored
 * bytes, how many entries it holds, and how it is stored (compressed or not, and its length before
 * compression). Immutable.
 */
public final class BlockRef {

    public static final byte BASE = 1;
    public static final byte DELTA = 2;

    private final String segment;
    private final long offset;
    private final int length;
    private final int crc;
    private final byte kind;
    private final int entries;
    private final BlockCompression compression;
    private final int rawLength;
    private final QueueSections queues;

    /** An uncompressed block: stored as serialized, its sections in any order. */
    public BlockRef(String segment, long offset, int length, int crc, byte kind, int entries) {
        this(
                segment,
                offset,
                length,
                crc,
                kind,
                entries,
                BlockCompression.NONE,
                length,
                QueueSections.ANY_ORDER);
    }

    public BlockRef(
            String segment,
            long offset,
            int length,
            int crc,
            byte kind,
            int entries,
            BlockCompression compression,
            int rawLength,
            QueueSections queues) {
        if (kind != BASE && kind != DELTA) {
            throw new IllegalArgumentException("Unknown block kind " + kind);
        }
        if (compression == BlockCompression.NONE && rawLength != length) {
            throw new IllegalArgumentException(
                    "An uncompressed block's length "
                            + length
                            + " differs from its raw length "
                            + rawLength);
        }
        this.segment = Objects.requireNonNull(segment);
        this.offset = offset;
        this.length = length;
        this.crc = crc;
        this.kind = kind;
        this.entries = entries;
        this.compression = Objects.requireNonNull(compression);
        this.rawLength = rawLength;
        this.queues = Objects.requireNonNull(queues);
    }

    /** The segment's name: its local path in the keyed handle's shared state. */
    public String segment() {
        return segment;
    }

    public long offset() {
        return offset;
    }

    /** Bytes stored in the segment (compressed, if the block is): what a restore downloads. */
    public int length() {
        return length;
    }

    /** The CRC32C of the stored bytes. */
    public int crc() {
        return crc;
    }

    public byte kind() {
        return kind;
    }

    public boolean isBase() {
        return kind == BASE;
    }

    /** For messages: "base of key group 7 in segment segment-… at offset 123". */
    public String describe(int keyGroup) {
        return (isBase() ? "base" : "delta")
                + " of key group "
                + keyGroup
                + " in segment "
                + segment
                + " at offset "
                + offset;
    }

    public int entries() {
        return entries;
    }

    public BlockCompression compression() {
        return compression;
    }

    public boolean isCompressed() {
        return compression != BlockCompression.NONE;
    }

    /** The serialized block's length before compression; {@link #length()} if uncompressed. */
    public int rawLength() {
        return rawLength;
    }

    /** Where the block's priority-queue sections are. */
    public QueueSections queues() {
        return queues;
    }

    /**
     * Whether the block's priority-queue sections, if any, all come before its keyed sections, so
     * that a restore can apply the timers and leave the keyed state for later without decoding it.
     */
    public boolean queuesFirst() {
        return queues != QueueSections.ANY_ORDER;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof BlockRef)) {
            return false;
        }
        BlockRef that = (BlockRef) o;
        return offset == that.offset
                && length == that.length
                && crc == that.crc
                && kind == that.kind
                && entries == that.entries
                && rawLength == that.rawLength
                && queues == that.queues
                && compression == that.compression
                && segment.equals(that.segment);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                segment, offset, length, crc, kind, entries, compression, rawLength, queues);
    }

    @Override
    public String toString() {
        return (kind == BASE ? "base" : "delta")
                + "@"
                + segment
                + "["
                + offset
                + "+"
                + length
                + (isCompressed() ? ", " + compression + " of " + rawLength : "")
                + "]";
    }
}
