package io.flinkrecovery.inspect;

import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.state.IncrementalKeyedStateHandle.HandleAndLocalPath;
import org.apache.flink.runtime.state.IncrementalRemoteKeyedStateHandle;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.SnappyStreamCompressionDecorator;
import org.apache.flink.runtime.state.filesystem.FileStateHandle;
import org.apache.flink.runtime.state.memory.ByteStreamStateHandle;

import io.flinkrecovery.backend.snapshot.BlockCompression;
import io.flinkrecovery.backend.snapshot.BlockRef;
import io.flinkrecovery.backend.snapshot.Manifest;
import io.flinkrecovery.backend.snapshot.QueueSections;
import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectStore;
import io.flinkrecovery.objectstore.s3.S3ClientSettings;
import io.flinkrecovery.objectstore.s3.S3ObjectStores;
import io.flinkrecovery.testing.EmbeddedS3Extension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deep checks of a segment that holds a compressed and an uncompressed block: the CRC32C covers the
 * stored (compressed) bytes, and a compressed block must also decompress to its recorded length.
 */
class ManifestCheckTest {

    @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("manifests");

    private static final String SEGMENT = "segment-" + UUID.randomUUID();
    private static final int HEADER = 16;

    private final ObjectStore store =
            S3ObjectStores.forSettings(
                    S3ClientSettings.fromConfig(Configuration.fromMap(S3.flinkConfig())));
    private final ObjectLocation location =
            ObjectLocation.of(S3.bucket(), "job-" + UUID.randomUUID() + "/shared/" + SEGMENT);
    private final HandleOwner owner = new HandleOwner("counts", 0);

    private final byte[] raw =
            "key=customer-record-with-a-long-description;"
                    .repeat(200)
                    .getBytes(StandardCharsets.UTF_8);
    private final byte[] compressed = snappy(raw);
    private final byte[] plain = "a delta of one entry".getBytes(StandardCharsets.UTF_8);

    @Test
    void intactCompressedAndUncompressedBlocksPass() throws Exception {
        byte[] segment = segment();
        store.put(location, segment);

        assertThat(check(blocks(crc(compressed), raw.length), segment.length)).isEmpty();
    }

    @Test
    void flippedByteInACompressedBlockIsAChecksumMismatch() throws Exception {
        byte[] segment = segment();
        int crc = crc(compressed);
        segment[HEADER + compressed.length / 2] ^= 0x01;
        store.put(location, segment);

        List<Finding> findings = check(blocks(crc, raw.length), segment.length);

        assertThat(findings)
                .singleElement()
                .satisfies(
                        f -> {
                            assertThat(f.kind()).isEqualTo(Finding.Kind.CHECKSUM_MISMATCH);
                            assertThat(f.message())
                                    .startsWith("Block of key group 3 at offset " + HEADER + " of ")
                                    .contains("its manifest says " + Integer.toHexString(crc));
                        });
    }

    @Test
    void compressedBlockThatDoesNotDecompressToItsLengthIsUnreadable() throws Exception {
        byte[] segment = segment();
        store.put(location, segment);

        List<Finding> findings = check(blocks(crc(compressed), raw.length + 1), segment.length);

        assertThat(findings)
                .singleElement()
                .satisfies(
                        f -> {
                            assertThat(f.kind()).isEqualTo(Finding.Kind.UNREADABLE_OBJECT);
                            assertThat(f.object()).isEqualTo(location.toString());
                            assertThat(f.message())
                                    .isEqualTo(
                                            "Block of key group 3 at offset "
                                                    + HEADER
                                                    + " of "
                                                    + location
                                                    + " matches its CRC32C but does not"
                                                    + " decompress (SNAPPY, "
                                                    + (raw.length + 1)
                                                    + " bytes expected): the SNAPPY data decodes"
                                                    + " to "
                                                    + raw.length
                                                    + " of "
                                                    + (raw.length + 1)
                                                    + " bytes");
                        });
    }

    private List<Finding> check(List<BlockRef> chain, long segmentSize) throws Exception {
        DataOutputSerializer manifest = new DataOutputSerializer(256);
        Manifest.write(
                manifest,
                IntSerializer.INSTANCE,
                List.of(),
                new KeyGroupRange(3, 3),
                List.of(chain));
        IncrementalRemoteKeyedStateHandle handle =
                new IncrementalRemoteKeyedStateHandle(
                        UUID.randomUUID(),
                        new KeyGroupRange(3, 3),
                        1,
                        List.of(
                                HandleAndLocalPath.of(
                                        new FileStateHandle(
                                                new Path(location.toString()), segmentSize),
                                        SEGMENT)),
                        List.of(),
                        new ByteStreamStateHandle("manifest", manifest.getCopyOfBuffer()),
                        segmentSize);
        return new ManifestCheck(store, 2, Progress.NONE).check(Map.of(handle, owner), true);
    }

    /** A compressed base, then an uncompressed delta. */
    private List<BlockRef> blocks(int compressedCrc, int rawLength) {
        return List.of(
                new BlockRef(
                        SEGMENT,
                        HEADER,
                        compressed.length,
                        compressedCrc,
                        BlockRef.BASE,
                        200,
                        BlockCompression.SNAPPY,
                        rawLength,
                        QueueSections.FIRST),
                new BlockRef(
                        SEGMENT,
                        HEADER + compressed.length,
                        plain.length,
                        crc(plain),
                        BlockRef.DELTA,
                        1));
    }

    private byte[] segment() {
        byte[] segment = new byte[HEADER + compressed.length + plain.length];
        System.arraycopy(compressed, 0, segment, HEADER, compressed.length);
        System.arraycopy(plain, 0, segment, HEADER + compressed.length, plain.length);
        return segment;
    }

    private static int crc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return (int) crc.getValue();
    }

    private static byte[] snappy(byte[] raw) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out =
                SnappyStreamCompressionDecorator.INSTANCE.decorateWithCompression(bytes)) {
            out.write(raw);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }
}
