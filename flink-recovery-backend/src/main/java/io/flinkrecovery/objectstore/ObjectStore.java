package io.flinkrecovery.objectstore;

import java.io.Closeable;
import java.io.IOException;
import java.util.Collection;
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

    /** The requests this store has sent so far. */
    RequestCounters counters();
}
