package io.flinkrecovery.backend.restore;

import org.apache.flink.core.fs.CloseableRegistry;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.runtime.state.StreamStateHandle;
import org.apache.flink.runtime.state.filesystem.FileStateHandle;
import org.apache.flink.util.IOUtils;

import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectStore;
import io.flinkrecovery.objectstore.s3.S3ClientSettings;
import io.flinkrecovery.objectstore.s3.S3ObjectStores;

import javax.annotation.Nullable;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads a byte range of a state handle. An {@code s3://} file handle is read with one ranged GET
 * through our {@link ObjectStore} when S3 settings are configured; any other handle is opened with
 * Flink's stream and positioned with {@code seek}. Thread-safe; counts the bytes it read.
 */
public final class RangeReader {

    @Nullable private final S3ClientSettings s3Settings;
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong reads = new AtomicLong();

    public RangeReader(@Nullable S3ClientSettings s3Settings) {
        this.s3Settings = s3Settings;
    }

    public byte[] read(
            StreamStateHandle handle, long offset, int length, CloseableRegistry registry)
            throws IOException {
        byte[] data = new byte[length];
        Optional<byte[]> inMemory = handle.asBytesIfInMemory();
        if (inMemory.isPresent()) {
            byte[] all = inMemory.get();
            if (offset + length > all.length) {
                throw new EOFException(
                        "Cannot read "
                                + handle
                                + ": range "
                                + offset
                                + "+"
                                + length
                                + " beyond its "
                                + all.length
                                + " bytes");
            }
            System.arraycopy(all, (int) offset, data, 0, length);
        } else {
            ObjectLocation location = s3Location(handle);
            InputStream in =
                    location != null
                            ? store().openRange(location, offset, length)
                            : seek(handle.openInputStream(), offset);
            registry.registerCloseable(in);
            try {
                readFully(in, data, handle);
            } finally {
                if (registry.unregisterCloseable(in)) {
                    IOUtils.closeQuietly(in);
                }
            }
        }
        bytesRead.addAndGet(length);
        reads.incrementAndGet();
        return data;
    }

    /** Bytes read so far (the sum of the requested ranges). */
    public long bytesRead() {
        return bytesRead.get();
    }

    /** Ranged reads issued so far. */
    public long reads() {
        return reads.get();
    }

    @Nullable
    private ObjectLocation s3Location(StreamStateHandle handle) {
        if (s3Settings == null || !(handle instanceof FileStateHandle)) {
            return null;
        }
        java.net.URI uri = ((FileStateHandle) handle).getFilePath().toUri();
        return ObjectLocation.SCHEME.equalsIgnoreCase(uri.getScheme())
                ? ObjectLocation.parse(uri)
                : null;
    }

    private ObjectStore store() {
        return S3ObjectStores.forSettings(s3Settings);
    }

    private static InputStream seek(FSDataInputStream in, long offset) throws IOException {
        try {
            in.seek(offset);
            return in;
        } catch (IOException | RuntimeException e) {
            IOUtils.closeQuietly(in);
            throw e;
        }
    }

    private static void readFully(InputStream in, byte[] data, StreamStateHandle handle)
            throws IOException {
        int read = 0;
        while (read < data.length) {
            int n = in.read(data, read, data.length - read);
            if (n < 0) {
                throw new EOFException(
                        "Cannot read "
                                + handle
                                + ": it ended after "
                                + read
                                + " of "
                                + data.length
                                + " bytes");
            }
            read += n;
        }
    }
}
