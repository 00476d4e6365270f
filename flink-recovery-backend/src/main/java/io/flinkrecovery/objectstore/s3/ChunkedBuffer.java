package io.flinkrecovery.objectstore.s3;

import software.amazon.awssdk.http.ContentStreamProvider;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The bytes of one request body, held in chunks of {@value #CHUNK_SIZE} bytes: growing never
 * copies, and no chunk is a humongous object to G1 (whose smallest region is 1 MiB, so arrays of
 * 512 KiB or more are humongous: each such allocation can start a young collection that stops every
 * task thread, including ones in a checkpoint's synchronous phase). Not thread-safe; the request
 * body it provides may be read again on every retry, from any thread, once writing has ended.
 */
final class ChunkedBuffer {

    static final int CHUNK_SIZE = 128 * 1024;

    private final List<byte[]> chunks = new ArrayList<>();
    private int size;

    int size() {
        return size;
    }

    void write(int b) {
        int offset = size % CHUNK_SIZE;
        if (offset == 0 && size / CHUNK_SIZE == chunks.size()) {
            chunks.add(new byte[CHUNK_SIZE]);
        }
        chunks.get(size / CHUNK_SIZE)[offset] = (byte) b;
        size++;
    }

    void write(byte[] bytes, int offset, int length) {
        while (length > 0) {
            int inChunk = size % CHUNK_SIZE;
            if (inChunk == 0 && size / CHUNK_SIZE == chunks.size()) {
                chunks.add(new byte[CHUNK_SIZE]);
            }
            int copied = Math.min(length, CHUNK_SIZE - inChunk);
            System.arraycopy(bytes, offset, chunks.get(size / CHUNK_SIZE), inChunk, copied);
            size += copied;
            offset += copied;
            length -= copied;
        }
    }

    /** The bytes written so far, as a request body that can be read any number of times. */
    ContentStreamProvider body() {
        List<byte[]> written = List.copyOf(chunks);
        int length = size;
        return () -> {
            List<InputStream> streams = new ArrayList<>(written.size());
            for (int i = 0, left = length; left > 0; i++, left -= CHUNK_SIZE) {
                streams.add(
                        new ByteArrayInputStream(written.get(i), 0, Math.min(left, CHUNK_SIZE)));
            }
            return new SequenceInputStream(Collections.enumeration(streams));
        };
    }
}
