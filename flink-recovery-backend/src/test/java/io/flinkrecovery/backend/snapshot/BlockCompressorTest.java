package io.flinkrecovery.backend.snapshot;

import org.apache.flink.api.common.ExecutionConfig;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How a serialized block becomes the bytes its segment stores, and back. */
class BlockCompressorTest {

    /** Serialized state looks like this: similar records with a few bytes that differ. */
    private static byte[] compressible(int records) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < records; i++) {
            text.append("key-").append(i).append("=value-of-a-customer-record-").append(i % 97);
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void compressibleBlockIsStoredCompressedAndDecompressesToItsBytes() throws Exception {
        // More than one 64 KB frame of Flink's Snappy stream.
        byte[] raw = compressible(6_000);
        assertThat(raw.length).isGreaterThan(3 * 64 * 1024);
        BlockCompressor compressor = new BlockCompressor(BlockCompression.SNAPPY);

        BlockCompression stored = compressor.store(raw, raw.length);

        assertThat(stored).isEqualTo(BlockCompression.SNAPPY);
        assertThat(compressor.length()).isLessThan(raw.length / 2);
        byte[] decompressed =
                stored.decompress(compressor.bytes(), 0, compressor.length(), raw.length);
        assertThat(decompressed).isEqualTo(raw);
    }

    @Test
    void blockThatCompressionWouldNotShrinkIsStoredAsItIs() throws Exception {
        byte[] random = new byte[10_000];
        new Random(42).nextBytes(random);
        // A delta of one entry: smaller than the compressed stream's framing.
        byte[] tiny = {0, 0, 0, 5, 2, 0, 0, 0, 0};
        BlockCompressor compressor = new BlockCompressor(BlockCompression.SNAPPY);

        for (byte[] raw : new byte[][] {random, tiny}) {
            assertThat(compressor.store(raw, raw.length)).isEqualTo(BlockCompression.NONE);
            assertThat(compressor.bytes()).isSameAs(raw);
            assertThat(compressor.length()).isEqualTo(raw.length);
        }
    }

    @Test
    void withoutCompressionEveryBlockIsStoredAsItIs() throws Exception {
        byte[] raw = compressible(1_000);
        BlockCompressor compressor = new BlockCompressor(BlockCompression.NONE);

        assertThat(compressor.store(raw, 100)).isEqualTo(BlockCompression.NONE);
        assertThat(compressor.bytes()).isSameAs(raw);
        assertThat(compressor.length()).isEqualTo(100);
    }

    @Test
    void reusedCompressorStoresEachBlockOnItsOwn() throws Exception {
        byte[] first = compressible(3_000);
        byte[] second = compressible(200);
        BlockCompressor compressor = new BlockCompressor(BlockCompression.SNAPPY);
        compressor.store(first, first.length);

        compressor.store(second, second.length);

        assertThat(
                        BlockCompression.SNAPPY.decompress(
                                compressor.bytes(), 0, compressor.length(), second.length))
                .isEqualTo(second);
    }

    @Test
    void decompressionRejectsStoredBytesOfAnotherLength() throws Exception {
        byte[] raw = compressible(1_000);
        BlockCompressor compressor = new BlockCompressor(BlockCompression.SNAPPY);
        compressor.store(raw, raw.length);
        byte[] stored = Arrays.copyOf(compressor.bytes(), compressor.length());

        assertThatThrownBy(() -> BlockCompression.SNAPPY.decompress(stored, 0, stored.length, 10))
                .hasMessage("the SNAPPY data decodes to more than 10 bytes");
        assertThatThrownBy(
                        () ->
                                BlockCompression.SNAPPY.decompress(
                                        stored, 0, stored.length, raw.length + 1))
                .hasMessage(
                        "the SNAPPY data decodes to "
                                + raw.length
                                + " of "
                                + (raw.length + 1)
                                + " bytes");
    }

    @Test
    void flinksSnapshotCompressionOptionTurnsItOn() {
        ExecutionConfig config = new ExecutionConfig();
        assertThat(BlockCompression.forSnapshots(config)).isEqualTo(BlockCompression.NONE);
        config.setUseSnapshotCompression(true);
        assertThat(BlockCompression.forSnapshots(config)).isEqualTo(BlockCompression.SNAPPY);
        assertThat(BlockCompression.forSnapshots(null)).isEqualTo(BlockCompression.NONE);
    }
}
