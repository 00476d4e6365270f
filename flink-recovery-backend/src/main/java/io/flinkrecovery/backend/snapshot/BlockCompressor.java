package io.flinkrecovery.backend.snapshot;

import org.apache.flink.core.memory.ByteArrayOutputStreamWithPos;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Turns a serialized block into the bytes its segment stores: compressed where compression is on
 * and makes the block smaller, otherwise as it is (a delta of a few entries is smaller than the
 * compressed stream's framing). Reuses one buffer; not thread-safe.
 */
final class BlockCompressor {

    private final BlockCompression compression;
    private final ByteArrayOutputStreamWithPos compressed =
            new ByteArrayOutputStreamWithPos(64 * 1024);
    private byte[] stored;
    private int storedLength;

    BlockCompressor(BlockCompression compression) {
        this.compression = compression;
    }

    /**
     * Prepares the stored form of {@code raw[0, length)}, which {@link #bytes()} and {@link
     * #length()} then return, and says how it is stored.
     */
    BlockCompression store(byte[] raw, int length) throws IOException {
        if (compression != BlockCompression.NONE) {
            compressed.reset();
            try (OutputStream out = compression.decorator().decorateWithCompression(compressed)) {
                out.write(raw, 0, length);
            }
            if (compressed.getPosition() < length) {
                stored = compressed.getBuf();
                storedLength = compressed.getPosition();
                return compression;
            }
        }
        stored = raw;
        storedLength = length;
        return BlockCompression.NONE;
    }

    /** The stored bytes of the last block, valid from offset 0 up to {@link #length()}. */
    byte[] bytes() {
        return stored;
    }

    int length() {
        return storedLength;
    }
}
