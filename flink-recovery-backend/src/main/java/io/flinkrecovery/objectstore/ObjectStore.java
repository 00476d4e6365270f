package io.flinkrecovery.objectstore;

import java.io.Closeable;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The narrow interface between our logic and an object store. Snapshot, restore, inspection and the
 * Flink {@code FileSystem} see only this; the only implementation that talks to a real store lives
 * in {@code objectstore.s3}.
 *
 * <p>Errors are {@link IOException}s whose message names the operation and the location: {@link
 * java.io.FileNotFoundException} for a missing object or bucket, {@link
 * java.nio.file.AccessDeniedException} for refused credentials, and {@link
 * java.nio.file.FileAlreadyExistsException} when a {@link WriteMode#CREATE_NEW} write finds an
 * object. Implementations are thread-safe.
 */
public interface ObjectStore extends Closeable {

    /** S3's smallest size of a multipart upload's part, except the last: 5 MiB. */
    int MIN_PART_SIZE = 5 * 1024 * 1024;

    /** S3's largest number of parts in one multipart upload. */
    int MAX_PARTS = 10_000;

    /** Writes a whole object in one request, replacing any existing one. */
    void put(ObjectLocation location, byte[] data) throws IOException;

    /**
     * Creates an object only if none exists. Idempotent across the SDK's own retries: if an earlier
     * attempt of this same call created the object, this call succeeds.
     */
    void putIfAbsent(ObjectLocation location, byte[] data) throws IOException;

    /**
     * Opens a stream that writes one object; it is visible only after {@code close()} returns.
     * Small objects go up in one PUT, larger ones as a multipart upload.
     */
    ObjectOutputStream create(ObjectLocation location, WriteMode mode) throws IOException;

    /** Opens an object for reading; the first read sends the request. */
    SeekableInputStream open(ObjectLocation location) throws IOException;

    /** Opens {@code length} bytes of an object from {@code offset} with a ranged GET. */
    SeekableInputStream openRange(ObjectLocation location, long offset, long length)
            throws IOException;

    /** The object's size and age, or empty if there is no such object. */
    Optional<ObjectInfo> head(ObjectLocation location) throws IOException;

    /**
     * Every object whose key starts with {@code prefix}, paged lazily in key order. The stream
     * throws {@link java.io.UncheckedIOException} if a later page fails.
     */
    Stream<ObjectInfo> list(ObjectLocation prefix) throws IOException;

    /** The objects and sub-prefixes directly below {@code directory} (delimiter {@code /}). */
    DirectoryListing listDirectory(ObjectLocation directory) throws IOException;

    /**
     * Deletes the objects, in batches of at most 1000 keys per request. Missing objects are not an
     * error. Fails with one exception naming every key that could not be deleted.
     */
    void deleteBatch(Collection<ObjectLocation> locations) throws IOException;

    /**
     * Starts a multipart upload of {@code location}. Nothing is visible until {@link
     * #completeMultipartUpload} succeeds; the object then carries {@code writeId}, which {@link
     * #head} reports, so that a writer can tell its own completed upload from another object.
     *
     * @return the upload id
     */
    String startMultipartUpload(ObjectLocation location, String writeId) throws IOException;

    /**
     * Uploads {@code data[0, length)} as part {@code partNumber} (1 to {@link #MAX_PARTS}) of the
     * upload. Every part but the last needs at least {@link #MIN_PART_SIZE} bytes. Uploading a part
     * number again replaces the earlier part. Fails with {@link java.io.FileNotFoundException} if
     * the upload was completed or aborted.
     */
    UploadedPart uploadPart(
            ObjectLocation location, String uploadId, int partNumber, byte[] data, int length)
            throws IOException;

    /**
     * Completes the upload from {@code parts}, in part-number order: the object becomes visible,
     * and parts not listed are dropped. Fails with {@link java.io.FileNotFoundException} if the
     * upload is unknown, which is also the case once it was completed or aborted.
     */
    void completeMultipartUpload(ObjectLocation location, String uploadId, List<UploadedPart> parts)
            throws IOException;

    /**
     * Aborts the upload and drops its parts. An upload that was already completed or aborted is not
     * an error.
     */
    void abortMultipartUpload(ObjectLocation location, String uploadId) throws IOException;

    /**
     * Every multipart upload of an object whose key starts with {@code prefix} that was neither
     * completed nor aborted, in key order.
     */
    List<PendingUpload> listMultipartUploads(ObjectLocation prefix) throws IOException;

    /** The requests this store has sent so far. */
    RequestCounters counters();
}
