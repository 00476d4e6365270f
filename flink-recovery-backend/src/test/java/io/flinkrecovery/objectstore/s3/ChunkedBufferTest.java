package io.flinkrecovery.objectstore.s3;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.ContentStreamProvider;

import java.io.IOException;
import java.io.InputStream;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class ChunkedBufferTest {

    private static final int CHUNK = ChunkedBuffer.CHUNK_SIZE;

    @Test
    void bodyHoldsWhatWasWrittenAcrossChunkBoundariesByByteAndByArray() throws IOException {
        byte[] expected = new byte[3 * CHUNK + 17];
        new Random(7).nextBytes(expected);
        ChunkedBuffer buffer = new ChunkedBuffer();
        int at = 0;
        // Single bytes up to one short of a boundary, then arrays that straddle boundaries.
        for (; at < CHUNK - 1; at++) {
            buffer.write(expected[at]);
        }
        buffer.write(expected, at, 2);
        at += 2;
        buffer.write(expected, at, CHUNK + 5);
        at += CHUNK + 5;
        buffer.write(expected[at++]);
        buffer.write(expected, at, expected.length - at);

        assertThat(buffer.size()).isEqualTo(expected.length);
        ContentStreamProvider body = buffer.body();
        assertThat(readAll(body)).isEqualTo(expected);
        assertThat(readAll(body)).as("read again, as a retry does").isEqualTo(expected);
    }

    @Test
    void bodyOfAnExactNumberOfChunksAndOfNothing() throws IOException {
        byte[] expected = new byte[2 * CHUNK];
        new Random(11).nextBytes(expected);
        ChunkedBuffer buffer = new ChunkedBuffer();
        buffer.write(expected, 0, expected.length);
        assertThat(readAll(buffer.body())).isEqualTo(expected);
        assertThat(readAll(new ChunkedBuffer().body())).isEmpty();
    }

    private static byte[] readAll(ContentStreamProvider body) throws IOException {
        try (InputStream in = body.newStream()) {
            return in.readAllBytes();
        }
    }
}
