package io.flinkrecovery.fs;

import org.apache.flink.core.memory.DataOutputSerializer;

import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.UploadedPart;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The recoverables in Flink's checkpoints: they round-trip, and foreign bytes are refused. */
class S3RecoverableSerializerTest {

    private static final S3RecoverableSerializer SERIALIZER = S3RecoverableSerializer.INSTANCE;

    private static final ObjectLocation FILE =
            ObjectLocation.parse("s3://bucket/out/2024/part-0-7");

    @Test
    void aResumableWithPartsAndATailRoundTrips() throws IOException {
        S3Recoverable recoverable =
                new S3Recoverable(
                        FILE,
                        "upload-1",
                        "write-1",
                        List.of(
                                new UploadedPart(1, "\"etag-1\"", 5 * 1024 * 1024),
                                new UploadedPart(2, "\"etag-2\"", 6 * 1024 * 1024)),
                        ObjectLocation.parse("s3://bucket/out/2024/.part-0-7.tail.x"),
                        1234);

        S3Recoverable read = roundTrip(recoverable);

        assertThat(read).isEqualTo(recoverable);
        assertThat(read.length()).isEqualTo(11 * 1024 * 1024 + 1234);
        assertThat(read.tail().bucket()).isEqualTo("bucket");
    }

    @Test
    void aCommittableWithoutPartsOrTailRoundTrips() throws IOException {
        S3Recoverable recoverable = new S3Recoverable(FILE, "u", "w", List.of(), null, 0);

        assertThat(roundTrip(recoverable)).isEqualTo(recoverable);
        assertThat(SERIALIZER.getVersion()).isEqualTo(1);
    }

    @Test
    void anUnknownVersionIsRefused() throws IOException {
        byte[] bytes = SERIALIZER.serialize(new S3Recoverable(FILE, "u", "w", List.of(), null, 0));

        assertThatThrownBy(() -> SERIALIZER.deserialize(2, bytes))
                .isInstanceOf(IOException.class)
                .hasMessage(
                        "Cannot read the state of an s3:// file being written: version 2 is"
                                + " unknown (this flink-recovery reads version 1)");
    }

    @Test
    void bytesOfAnotherWriterAreRefused() throws IOException {
        DataOutputSerializer other = new DataOutputSerializer(16);
        other.writeInt(0x0BAD_CAFE);
        other.writeUTF("s3a://bucket/key");

        assertThatThrownBy(() -> SERIALIZER.deserialize(1, other.getCopyOfBuffer()))
                .isInstanceOf(IOException.class)
                .hasMessage(
                        "Cannot read the state of an s3:// file being written: it was not written"
                                + " by flink-recovery's s3 file system (magic number 0xbadcafe)");
    }

    @Test
    void partsMustBeNumberedFromOneWithoutGaps() {
        assertThatThrownBy(
                        () ->
                                new S3Recoverable(
                                        FILE,
                                        "u",
                                        "w",
                                        List.of(new UploadedPart(2, "e", 1)),
                                        null,
                                        0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Invalid parts of "
                                + FILE
                                + ": [part 2 (1 bytes, ETag e)] (must be 1 to n)");
    }

    private static S3Recoverable roundTrip(S3Recoverable recoverable) throws IOException {
        return SERIALIZER.deserialize(SERIALIZER.getVersion(), SERIALIZER.serialize(recoverable));
    }
}
