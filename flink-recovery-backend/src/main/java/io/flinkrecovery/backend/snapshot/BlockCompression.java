package io.flinkrecovery.backend.snapshot;

import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.runtime.state.SnappyStreamCompressionDecorator;
import org.apache.flink.runtime.state.StreamCompressionDecorator;
import org.apache.flink.runtime.state.UncompressedStreamCompressionDecorator;

import javax.annotation.Nullable;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * How a block is stored in its segment: as serialized, or compressed with the codec Flink itself
 * uses for snapshots when {@code execution.checkpointing.snapshot-compression} is on ({@link
 * SnappyStreamCompressionDecorator}: framed Snappy). The manifest records it per block, so one
 * chain may hold both.
 */
public enum BlockCompression {
    NONE((byte) 0),
    SNAPPY((byte) 1);

    private final byte id;

    BlockCompression(byte id) {
        this.id = id;
    }

    /**
     * The compression for new blocks: {@link #SNAPPY} where {@link
     * ExecutionConfig#isUseSnapshotCompression()} is set, as Flink's own backends decide.
     */
    public static BlockCompression forSnapshots(@Nullable ExecutionConfig config) {
        return config != null && config.isUseSnapshotCompression() ? SNAPPY : NONE;
    }

    /** The compression a manifest's id stands for, or null for an id this version doesn't know. */
    @Nullable
    static BlockCompression ofId(byte id) {
        for (BlockCompression compression : values()) {
            if (compression.id == id) {
                return compression;
            }
        }
        return null;
    }

    /** The id the manifest records. */
    byte id() {
        return id;
    }

    /**
     * The codec. Looked up on use, not held: reading a manifest (the inspector) needs no Snappy
     * classes.
     */
    StreamCompressionDecorator decorator() {
        return this == SNAPPY
                ? SnappyStreamCompressionDecorator.INSTANCE
                : UncompressedStreamCompressionDecorator.INSTANCE;
    }

    /**
     * Decodes the {@code length} stored bytes at {@code offset} into the block's {@code rawLength}
     * serialized bytes; throws if they decode to more or fewer.
     */
    public byte[] decompress(byte[] stored, int offset, int length, int rawLength)
            throws IOException {
        byte[] raw = new byte[rawLength];
        try (InputStream in =
                decorator()
                        .decorateWithCompression(
                                new ByteArrayInputStream(stored, offset, length))) {
            int read = 0;
            while (read < rawLength) {
                int n = in.read(raw, read, rawLength - read);
                if (n < 0) {
                    throw new EOFException(
                            "the "
                                    + name()
                                    + " data decodes to "
                                    + read
                                    + " of "
                                    + rawLength
                                    + " bytes");
                }
                read += n;
            }
            if (in.read() >= 0) {
                throw new IOException(
                        "the " + name() + " data decodes to more than " + rawLength + " bytes");
            }
        }
        return raw;
    }
}
