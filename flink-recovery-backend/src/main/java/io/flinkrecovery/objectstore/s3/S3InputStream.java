package io.flinkrecovery.objectstore.s3;

import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.SeekableInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.EOFException;
import java.io.IOException;

/**
 * Reads an object, or the range {@code [start, end)} of one, with lazily opened ranged GETs. A read
 * that fails mid-stream reopens at the current offset, up to {@code maxReadReopens} times in a row
 * (as Iceberg's {@code S3InputStream} does); the SDK itself retries the opening GET. Not
 * thread-safe.
 */
final class S3InputStream extends SeekableInputStream {

    private static final Logger LOG = LoggerFactory.getLogger(S3InputStream.class);

    /** Forward seeks up to this distance read through the open stream instead of reopening. */
    private static final long SKIP_WITHIN_STREAM = 256 * 1024;

    private final S3ObjectStore store;
    private final ObjectLocation location;
    private final long start;

    /** Exclusive end, or -1 for "to the end of the object". */
    private final long end;

    private ResponseInputStream<GetObjectResponse> stream;
    private long position;
    private long streamPosition;
    private boolean closed;

    S3InputStream(S3ObjectStore store, ObjectLocation location, long start, long end) {
        this.store = store;
        this.location = location;
        this.start = start;
        this.end = end;
        this.position = start;
    }

    @Override
    public long getPos() {
        return position;
    }

    @Override
    public void seek(long newPosition) throws IOException {
        ensureOpen();
        if (newPosition < 0) {
            throw new EOFException(
                    "Cannot seek " + location + " to negative offset " + newPosition);
        }
        position = newPosition;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] bytes, int offset, int length) throws IOException {
        ensureOpen();
        if (length == 0) {
            return 0;
        }
        if (end >= 0) {
            if (position >= end) {
                return -1;
            }
            length = (int) Math.min(length, end - position);
        }
        int failures = 0;
        while (true) {
            try {
                if (!positionStream()) {
                    return -1;
                }
                int n = stream.read(bytes, offset, length);
                if (n == -1) {
                    closeStream(false);
                    return -1;
                }
                position += n;
                streamPosition += n;
                store.counters().countBytesIn(n);
                return n;
            } catch (IOException | SdkException e) {
                closeStream(true);
                if (e instanceof IOException && isNotRetryable((IOException) e)) {
                    throw (IOException) e;
                }
                if (++failures > store.settings().maxReadReopens()) {
                    throw e instanceof IOException
                            ? new IOException(
                                    "Cannot read " + location + " at offset " + position, e)
                            : store.translate("read", location, (SdkException) e);
                }
                LOG.debug("Reopening {} at offset {} after a failed read", location, position, e);
            }
        }
    }

    private static boolean isNotRetryable(IOException e) {
        return e instanceof java.io.FileNotFoundException
                || e instanceof java.nio.file.AccessDeniedException
                // An untrusted certificate stays untrusted (see S3Errors).
                || e instanceof javax.net.ssl.SSLException;
    }

    @Override
    public long skip(long n) throws IOException {
        if (n <= 0) {
            return 0;
        }
        long target = end >= 0 ? Math.min(end, position + n) : position + n;
        long skipped = target - position;
        seek(target);
        return skipped;
    }

    /**
     * Closes the stream. A range read to its end goes back to the connection pool; otherwise the
     * connection is dropped rather than drained of bytes nobody wants.
     */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            closeStream(!(end >= 0 && streamPosition == end));
        }
    }

    /** Makes the open stream stand at {@link #position}; false at the end of the object. */
    private boolean positionStream() throws IOException {
        if (stream != null) {
            long distance = position - streamPosition;
            if (distance == 0) {
                return true;
            }
            if (distance > 0 && distance <= SKIP_WITHIN_STREAM) {
                long skipped = stream.skip(distance);
                streamPosition += skipped;
                if (streamPosition == position) {
                    return true;
                }
            }
            closeStream(true);
        }
        return openStream();
    }

    private boolean openStream() throws IOException {
        String range = "bytes=" + position + "-" + (end >= 0 ? Long.toString(end - 1) : "");
        try {
            stream =
                    store.client()
                            .getObject(
                                    b ->
                                            b.bucket(location.bucket())
                                                    .key(location.key())
                                                    .range(range));
            streamPosition = position;
            return true;
        } catch (S3Exception e) {
            if (e.statusCode() == 416) {
                return false; // at or past the end of the object
            }
            throw store.translate("read", location, e);
        } catch (SdkException e) {
            throw store.translate("read", location, e);
        }
    }

    /** Closes the HTTP stream; {@code abort} drops the connection instead of draining it. */
    private void closeStream(boolean abort) {
        if (stream == null) {
            return;
        }
        try {
            if (abort) {
                stream.abort();
            }
            stream.close();
        } catch (IOException | RuntimeException e) {
            LOG.debug("Ignoring an error while closing a stream of {}", location, e);
        }
        stream = null;
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("Cannot read " + location + ": the stream is closed");
        }
    }
}
