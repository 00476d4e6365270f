package io.flinkrecovery.backend.snapshot;

import java.util.Objects;

/**
 * Where one key group's base or delta lives: a byte range of a segment, its CRC32C and how many
 * entries it holds. Immutable.
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

    public BlockRef(String segment, long offset, int length, int crc, byte kind, int entries) {
        if (kind != BASE && kind != DELTA) {
            throw new IllegalArgumentException("Unknown block kind " + kind);
        }
        this.segment = Objects.requireNonNull(segment);
        this.offset = offset;
        this.length = length;
        this.crc = crc;
        this.kind = kind;
        this.entries = entries;
    }

    /** The segment's name: its local path in the keyed handle's shared state. */
    public String segment() {
        return segment;
    }

    public long offset() {
        return offset;
    }

    public int length() {
        return length;
    }

    public int crc() {
        return crc;
    }

    public byte kind() {
        return kind;
    }

    public boolean isBase() {
        return kind == BASE;
    }

    public int entries() {
        return entries;
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
                && segment.equals(that.segment);
    }

    @Override
    public int hashCode() {
        return Objects.hash(segment, offset, length, crc, kind, entries);
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
                + "]";
    }
}
