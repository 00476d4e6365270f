package io.flinkrecovery.objectstore.s3;

import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectOutputStream;
import io.flinkrecovery.objectstore.UploadedPart;
import io.flinkrecovery.objectstore.WriteMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;

/**
 * Writes one object: in a single PUT if it stays below the part size, otherwise as a multipart
 * upload whose parts go up in the background. At most {@code maxPartsInFlight} parts are buffered
 * or in flight, so memory is bounded. Any failure aborts the upload, so nothing partial becomes
 * visible. Not thread-safe, like any {@link java.io.OutputStream}.
 */
final class S3OutputStream extends ObjectOutputStream {

    private static final Logger LOG = LoggerFactory.getLogger(S3OutputStream.class);

    private final S3ObjectStore store;
    private final ObjectLocation location;
    private final WriteMode mode;
    private final int partSize;
    private final Semaphore partsInFlight;
    private final String writeId = S3ObjectStore.newWriteId();
    private final List<CompletableFuture<CompletedPart>> parts = new ArrayList<>();

    private ChunkedBuffer buffer = new ChunkedBuffer();
    private long position;
    private String uploadId;
    private boolean closed;

    S3OutputStream(S3ObjectStore store, ObjectLocation location, WriteMode mode) {
        this.store = store;
        this.location = location;
        this.mode = mode;
        this.partSize = (int) Math.min(Integer.MAX_VALUE - 8, store.settings().partSize());
        this.partsInFlight = new Semaphore(store.settings().maxPartsInFlight());
    }

    @Override
    public long getPos() {
        return position;
    }

    @Override
    public void write(int b) throws IOException {
        ensureOpen();
        buffer.write(b);
        position++;
        if (buffer.size() == partSize) {
            uploadBufferedPart();
        }
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        ensureOpen();
        while (length > 0) {
            int chunk = Math.min(length, partSize - buffer.size());
            buffer.write(bytes, offset, chunk);
            position += chunk;
            offset += chunk;
            length -= chunk;
            if (buffer.size() == partSize) {
                uploadBufferedPart();
            }
        }
    }

    /** Data becomes visible only on {@link #close()}; there is nothing to flush early. */
    @Override
    public void flush() throws IOException {
        ensureOpen();
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (uploadId == null) {
                store.putObject(location, buffer.body(), buffer.size(), mode);
            } else {
                if (buffer.size() > 0) {
                    uploadBufferedPart();
                }
                completeMultipartUpload();
            }
        } catch (IOException | RuntimeException e) {
            abortUpload(e);
            throw e;
        } finally {
            buffer = null;
        }
    }

    @Override
    public void abort() {
        if (closed) {
            return;
        }
        closed = true;
        buffer = null;
        abortUpload(null);
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("Cannot write " + location + ": the stream is closed");
        }
    }

    private void uploadBufferedPart() throws IOException {
        try {
            if (uploadId == null) {
                startMultipartUpload();
            }
            failIfAnyPartFailed();
            acquirePartSlot();
        } catch (IOException | RuntimeException e) {
            closed = true;
            abortUpload(e);
            throw e;
        }
        ContentStreamProvider data = buffer.body();
        int length = buffer.size();
        int partNumber = parts.size() + 1;
        buffer = new ChunkedBuffer();
        CompletableFuture<CompletedPart> part =
                CompletableFuture.supplyAsync(
                        () -> uploadPart(partNumber, data, length), store.uploadExecutor());
        part.whenComplete((ignored, error) -> partsInFlight.release());
        parts.add(part);
    }

    private void startMultipartUpload() throws IOException {
        CreateMultipartUploadRequest.Builder request =
                CreateMultipartUploadRequest.builder()
                        .bucket(location.bucket())
                        .key(location.key());
        ServerSideEncryptionHeaders.apply(store.settings(), request);
        if (mode == WriteMode.CREATE_NEW) {
            request.metadata(Map.of(S3ObjectStore.WRITE_ID_METADATA, writeId));
        }
        try {
            uploadId = store.client().createMultipartUpload(request.build()).uploadId();
        } catch (SdkException e) {
            throw store.translate("start multipart upload of", location, e);
        }
    }

    private CompletedPart uploadPart(int partNumber, ContentStreamProvider data, int length) {
        try {
            UploadedPart part = store.uploadPart(location, uploadId, partNumber, data, length);
            return CompletedPart.builder().partNumber(partNumber).eTag(part.etag()).build();
        } catch (IOException e) {
            throw new CompletionException(e);
        }
    }

    private void acquirePartSlot() throws IOException {
        try {
            partsInFlight.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while uploading " + location);
        }
    }

    private void failIfAnyPartFailed() throws IOException {
        for (CompletableFuture<CompletedPart> part : parts) {
            if (part.isCompletedExceptionally()) {
                awaitPart(part);
            }
        }
    }

    private void completeMultipartUpload() throws IOException {
        List<CompletedPart> completed = new ArrayList<>(parts.size());
        for (CompletableFuture<CompletedPart> part : parts) {
            completed.add(awaitPart(part));
        }
        CompleteMultipartUploadRequest.Builder request =
                CompleteMultipartUploadRequest.builder()
                        .bucket(location.bucket())
                        .key(location.key())
                        .uploadId(uploadId)
                        .multipartUpload(
                                CompletedMultipartUpload.builder().parts(completed).build());
        if (mode == WriteMode.CREATE_NEW) {
            request.ifNoneMatch("*");
        }
        try {
            store.client().completeMultipartUpload(request.build());
        } catch (SdkException e) {
            // A retried completion of our own finished upload answers 412 or NoSuchUpload.
            if (mode == WriteMode.CREATE_NEW
                    && (S3Errors.isPreconditionFailed(e) || S3Errors.isNotFound(e))
                    && store.isOwnWrite(location, writeId)) {
                uploadId = null;
                return;
            }
            throw store.translate("complete multipart upload of", location, e);
        }
        uploadId = null;
    }

    private CompletedPart awaitPart(CompletableFuture<CompletedPart> part) throws IOException {
        try {
            return part.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof IOException) {
                throw (IOException) e.getCause();
            }
            throw new IOException("Cannot upload " + location, e.getCause());
        }
    }

    /** Aborts the multipart upload, if any; secondary errors go to {@code primary}. */
    private void abortUpload(Throwable primary) {
        if (uploadId == null) {
            return;
        }
        String abortedId = uploadId;
        uploadId = null;
        for (CompletableFuture<CompletedPart> part : parts) {
            part.cancel(false);
        }
        try {
            store.client()
                    .abortMultipartUpload(
                            b ->
                                    b.bucket(location.bucket())
                                            .key(location.key())
                                            .uploadId(abortedId));
        } catch (SdkException e) {
            IOException abortFailure =
                    store.translate("abort multipart upload " + abortedId + " of", location, e);
            if (primary != null) {
                primary.addSuppressed(abortFailure);
            } else {
                LOG.warn(
                        "Could not abort the multipart upload {} of {}; a lifecycle rule for"
                                + " incomplete uploads will remove its parts.",
                        abortedId,
                        location,
                        abortFailure);
            }
        }
    }
}
