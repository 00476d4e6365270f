package io.flinkrecovery.backend.snapshot;

import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.state.KeyGroupRange;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The manifest's two versions: with and without per-block compression. */
class ManifestTest {

    private static final String SEGMENT_1 = "segment-1";
    private static final String SEGMENT_2 = "segment-2";

    private static byte[] write(KeyGroupRange range, List<List<BlockRef>> chains)
            throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        Manifest.write(out, IntSerializer.INSTANCE, List.of(), range, chains);
        return out.getCopyOfBuffer();
    }

    private static Manifest read(byte[] bytes) throws IOException {
        return Manifest.read(
                new DataInputDeserializer(bytes), ManifestTest.class.getClassLoader(), "test");
    }

    private static int versionOf(byte[] manifest) {
        return ByteBuffer.wrap(manifest, 4, 4).getInt();
    }

    /**
     * An uncompressed base, a compressed delta, an uncompressed delta: the option flipped twice.
     */
    private static List<List<BlockRef>> mixedChains() {
        return List.of(
                List.of(
                        new BlockRef(SEGMENT_1, 16, 1000, 11, BlockRef.BASE, 50),
                        new BlockRef(
                                SEGMENT_2,
                                16,
                                120,
                                22,
                                BlockRef.DELTA,
                                10,
                                BlockCompression.SNAPPY,
                                400,
                                QueueSections.ANY_ORDER),
                        new BlockRef(SEGMENT_2, 136, 30, 33, BlockRef.DELTA, 1)),
                List.of(),
                List.of(
                        new BlockRef(
                                SEGMENT_2,
                                166,
                                300,
                                44,
                                BlockRef.BASE,
                                70,
                                BlockCompression.SNAPPY,
                                1400,
                                QueueSections.ANY_ORDER)));
    }

    @Test
    void mixedChainsRoundTripAsVersion2() throws Exception {
        KeyGroupRange range = new KeyGroupRange(5, 7);
        byte[] bytes = write(range, mixedChains());

        assertThat(versionOf(bytes)).isEqualTo(Manifest.VERSION_COMPRESSED).isEqualTo(2);
        Manifest manifest = read(bytes);
        assertThat(manifest.keyGroupRange()).isEqualTo(range);
        assertThat(manifest.chains()).isEqualTo(mixedChains());
        BlockRef compressedDelta = manifest.chain(5).get(1);
        assertThat(compressedDelta.compression()).isEqualTo(BlockCompression.SNAPPY);
        assertThat(compressedDelta.rawLength()).isEqualTo(400);
        assertThat(compressedDelta.length()).isEqualTo(120);
        assertThat(manifest.chain(5).get(0).isCompressed()).isFalse();
        // The inspector's reader, which needs none of the job's classes, sees the same blocks.
        assertThat(Manifest.readBlocks(new java.io.ByteArrayInputStream(bytes), "test").chains())
                .isEqualTo(mixedChains());
    }

    @Test
    void manifestWithoutCompressedBlocksIsWrittenInTheFormatBeforeCompression() throws Exception {
        List<List<BlockRef>> chains =
                List.of(
                        List.of(
                                new BlockRef(SEGMENT_1, 16, 1000, 11, BlockRef.BASE, 50),
                                new BlockRef(SEGMENT_2, 16, 30, 22, BlockRef.DELTA, 1)));
        byte[] bytes = write(new KeyGroupRange(0, 0), chains);

        assertThat(versionOf(bytes)).isEqualTo(Manifest.VERSION_UNCOMPRESSED).isEqualTo(1);
        // Version 1's block entry: segment id, offset, length, CRC32C, kind, entries (25 bytes).
        int header = 4 * 5 + 2 * (2 + SEGMENT_1.length());
        assertThat(bytes.length - header - 4 - 2 * 25)
                .as("bytes after the blocks: the serializers")
                .isEqualTo(serializersOnlyLength());
        Manifest manifest = read(bytes);
        assertThat(manifest.chains()).isEqualTo(chains);
        assertThat(manifest.chain(0).get(0).rawLength()).isEqualTo(1000);
    }

    @Test
    void blocksWhoseQueuesComeFirstRoundTripAsVersion3BesideOlderBlocks() throws Exception {
        List<BlockRef> chain = new ArrayList<>(mixedChains().get(0));
        BlockRef queuesFirst =
                new BlockRef(
                        SEGMENT_2,
                        500,
                        40,
                        55,
                        BlockRef.DELTA,
                        3,
                        BlockCompression.NONE,
                        40,
                        QueueSections.FIRST);
        chain.add(queuesFirst);
        BlockRef withoutQueues =
                new BlockRef(
                        SEGMENT_2,
                        540,
                        20,
                        66,
                        BlockRef.BASE,
                        2,
                        BlockCompression.NONE,
                        20,
                        QueueSections.NONE);
        List<List<BlockRef>> chains = List.of(chain, List.of(withoutQueues), mixedChains().get(2));
        byte[] bytes = write(new KeyGroupRange(5, 7), chains);

        assertThat(versionOf(bytes)).isEqualTo(Manifest.VERSION).isEqualTo(3);
        Manifest manifest = read(bytes);
        assertThat(manifest.chains()).isEqualTo(chains);
        assertThat(manifest.chain(5))
                .extracting(BlockRef::queues)
                .containsExactly(
                        QueueSections.ANY_ORDER,
                        QueueSections.ANY_ORDER,
                        QueueSections.ANY_ORDER,
                        QueueSections.FIRST);
        assertThat(manifest.chain(5).get(1).compression()).isEqualTo(BlockCompression.SNAPPY);
        assertThat(manifest.chain(6).get(0).queues()).isEqualTo(QueueSections.NONE);
        assertThat(Manifest.readBlocks(new java.io.ByteArrayInputStream(bytes), "test").chains())
                .isEqualTo(chains);
    }

    private static int serializersOnlyLength() throws IOException {
        byte[] empty = write(new KeyGroupRange(0, 0), List.of(List.of()));
        return empty.length - 4 * 5 - 4;
    }

    /**
     * A manifest written by the code before block compression (see format-v1/README.md): read as
     * uncompressed blocks of the segments it names.
     */
    @Test
    void readsCheckedInVersion1Manifest() throws Exception {
        byte[] bytes = resource("/format-v1/manifest");
        Set<String> segments =
                Set.of(
                        new String(resource("/format-v1/segments"), StandardCharsets.UTF_8)
                                .trim()
                                .split("\n"));
        assertThat(versionOf(bytes)).isEqualTo(1);

        Manifest manifest = read(bytes);

        assertThat(manifest.keyGroupRange()).isEqualTo(new KeyGroupRange(0, 127));
        assertThat(manifest.stateMetaInfos()).hasSize(1);
        assertThat(manifest.stateMetaInfos().get(0).getName()).isEqualTo("value");
        List<BlockRef> blocks = new ArrayList<>();
        manifest.chains().forEach(blocks::addAll);
        assertThat(blocks).isNotEmpty().noneMatch(BlockRef::isCompressed);
        assertThat(blocks).allMatch(b -> b.rawLength() == b.length());
        Set<String> named = new HashSet<>();
        blocks.forEach(b -> named.add(b.segment()));
        assertThat(named).isEqualTo(segments);
        assertThat(manifest.chains())
                .as("chains of a base and a delta (checkpoint 2 changed keys 0..59)")
                .anySatisfy(
                        chain -> {
                            assertThat(chain).hasSize(2);
                            assertThat(chain.get(0).isBase()).isTrue();
                            assertThat(chain.get(1).isBase()).isFalse();
                        });
    }

    @Test
    void unknownCompressionIsAnErrorThatNamesTheBlock() throws Exception {
        List<List<BlockRef>> chains =
                List.of(
                        List.of(
                                new BlockRef(
                                        SEGMENT_1,
                                        16,
                                        100,
                                        1,
                                        BlockRef.BASE,
                                        5,
                                        BlockCompression.SNAPPY,
                                        300,
                                        QueueSections.ANY_ORDER)));
        byte[] bytes = write(new KeyGroupRange(9, 9), chains);
        // After the header, the segment name, the chain's length and the version 1 fields.
        int compressionAt = 4 * 5 + 2 + SEGMENT_1.length() + 4 + 25;
        assertThat(bytes[compressionAt]).isEqualTo(BlockCompression.SNAPPY.id());
        bytes[compressionAt] = 7;

        assertThatThrownBy(() -> read(bytes))
                .isInstanceOf(IOException.class)
                .hasMessage(
                        "Cannot read test: block 0 of key group 9 in segment segment-1 has"
                                + " unknown compression 7; restore it with the flink-recovery"
                                + " version that wrote it, or a newer one");
    }

    @Test
    void newerVersionIsAnErrorThatSaysWhichVersionsAreRead() throws Exception {
        byte[] bytes = write(new KeyGroupRange(0, 0), List.of(List.of()));
        bytes[7] = 4;

        assertThatThrownBy(() -> read(bytes))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith(
                        "Cannot read test: unsupported manifest version 4 (this flink-recovery"
                                + " reads versions 1 to 3;");
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = ManifestTest.class.getResourceAsStream(name)) {
            return Objects.requireNonNull(in, name).readAllBytes();
        }
    }
}
