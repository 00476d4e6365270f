package io.flinkrecovery.fs;

import org.apache.flink.core.fs.RecoverableFsDataOutputStream;
import org.apache.flink.core.fs.RecoverableWriter;

import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectStore;
import io.flinkrecovery.objectstore.UploadedPart;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes one file as a multipart upload. Bytes collect in a buffer on the heap that grows up to the
 * part size; each full buffer goes up as a part, synchronously on the writing thread (as {@code
 * flink-s3-fs-native} does), so memory is one part per open file. {@link #persist()} uploads the
 * buffer as a part if S3 accepts one of its size, and otherwise as a tail object of its own, and
 * keeps the bytes buffered, so that they later become part of a full part. Nothing is visible at
 * the file's key before the committer completes the upload.
 *
 * <p>Not thread-safe, like any stream; only {@link #close()} may come from another thread (a task
 * being cancelled).
 */
final class S3RecoverableFsDataOutputStream extends RecoverableFsDataOutputStream {

    private static final Logger LOG =
            LoggerFactory.getLogger(S3RecoverableFsDataOutputStream.class);

    private static final int INITIAL_BUFFER_SIZE = 64 * 1024;

    private final ReentrantLock lock = new ReentrantLock();
    private final ObjectStore store;
    private final ObjectLocation location;
    private final String uploadId;
    private final String writeId;
    private final int partSize;
    private final List<UploadedPart> parts;

    private long partsLength;
    private byte[] buffer;
    private int buffered;

    /**
     * Whether the upload may be referenced by a checkpoint: a recoverable was handed out, or this
     * stream was recovered from one. Then {@link #close()} must leave the upload to be resumed.
     */
    private boolean referenced;

    private volatile boolean closed;

    S3RecoverableFsDataOutputStream(
            ObjectStore store,
            ObjectLocation location,
            String uploadId,
            String writeId,
            int partSize,
            List<UploadedPart> parts,
            byte[] tail,
            boolean referenced) {
        this.store = store;
        this.location = location;
        this.uploadId = uploadId;
        this.writeId = writeId;
        this.partSize = partSize;
        this.parts = new ArrayList<>(parts);
        for (UploadedPart part : parts) {
            partsLength += part.size();
        }
        this.buffer = Arrays.copyOf(tail, Math.max(tail.length, INITIAL_BUFFER_SIZE));
        this.buffered = tail.length;
        this.referenced = referenced;
    }

    @Override
    public long getPos() {
        return partsLength + buffered;
    }

    @Override
    public void write(int b) throws IOException {
        ensureOpen();
        ensureCapacity(1);
        buffer[buffered++] = (byte) b;
        if (buffered >= partSize) {
            uploadBuffer();
        }
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        ensureOpen();
        while (length > 0) {
            int chunk = Math.min(length, Math.max(1, partSize - buffered));
            ensureCapacity(chunk);
            System.arraycopy(bytes, offset, buffer, buffered, chunk);
            buffered += chunk;
            offset += chunk;
            length -= chunk;
            if (buffered >= partSize) {
                uploadBuffer();
            }
        }
    }

    /** Makes nothing durable: only {@link #persist()} does, as S3 has no appends. */
    @Override
    public void flush() throws IOException {
        ensureOpen();
    }

    /** Makes nothing durable: only {@link #persist()} does, as S3 has no appends. */
    @Override
    public void sync() throws IOException {
        ensureOpen();
    }

    /**
     * Uploads what is buffered, as a part if it has at least S3's minimum part size, and otherwise
     * as a new tail object whose key starts with a dot (hidden from Flink's file source, Hive and
     * Spark). Tail objects are never overwritten, so that every earlier recoverable stays valid.
     */
    @Override
    public RecoverableWriter.ResumeRecoverable persist() throws IOException {
        lock();
        try {
            ensureOpen();
            if (buffered >= ObjectStore.MIN_PART_SIZE) {
                uploadBuffer();
            }
            ObjectLocation tail = null;
            if (buffered > 0) {
                tail = TailObjects.newTail(location);
                store.put(tail, Arrays.copyOf(buffer, buffered));
            }
            referenced = true;
            return new S3Recoverable(location, uploadId, writeId, parts, tail, buffered);
        } finally {
            lock.unlock();
        }
    }

    /** Uploads what is buffered as the last part; the committer then completes the upload. */
    @Override
    public Committer closeForCommit() throws IOException {
        lock();
        try {
            ensureOpen();
            if (buffered > 0) {
                uploadBuffer();
            }
            closed = true;
            buffer = null;
            return new S3Committer(
                    store, new S3Recoverable(location, uploadId, writeId, parts, null, 0));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Ends the stream without publishing it. An upload that no checkpoint can reference (never
     * persisted, not recovered) is aborted, so that a failed or cancelled attempt leaves no pending
     * upload behind; any other is left for its recovery, which may resume or commit it. Idempotent.
     */
    @Override
    public void close() throws IOException {
        lock();
        try {
            if (closed) {
                return;
            }
            // The buffer stays: a write racing with a cancelling close() fails on the closed flag.
            closed = true;
            if (!referenced) {
                try {
                    store.abortMultipartUpload(location, uploadId);
                } catch (IOException e) {
                    LOG.warn(
                            "Could not abort the multipart upload {} of {}, which no checkpoint"
                                    + " references; a lifecycle rule for incomplete multipart"
                                    + " uploads, or the inspector's orphans command, removes it.",
                            uploadId,
                            location,
                            e);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void uploadBuffer() throws IOException {
        int partNumber = parts.size() + 1;
        UploadedPart part = store.uploadPart(location, uploadId, partNumber, buffer, buffered);
        parts.add(part);
        partsLength += buffered;
        // The upload has returned, so the buffer can be reused for the next part.
        buffered = 0;
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("Cannot write " + location + ": the stream is closed");
        }
    }

    private void ensureCapacity(int extra) {
        int needed = buffered + extra;
        if (needed > buffer.length) {
            int grown = Math.max(needed, buffer.length * 2);
            buffer = Arrays.copyOf(buffer, Math.max(needed, Math.min(partSize, grown)));
        }
    }

    private void lock() throws IOException {
        try {
            lock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while writing " + location);
        }
    }
}
