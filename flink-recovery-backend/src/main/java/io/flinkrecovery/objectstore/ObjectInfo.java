package io.flinkrecovery.objectstore;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** What a HEAD or a listing tells about one object. */
public final class ObjectInfo {

    private final ObjectLocation location;
    private final long size;
    private final Instant lastModified;
    private final String writeId;

    public ObjectInfo(ObjectLocation location, long size, Instant lastModified) {
        this(location, size, lastModified, null);
    }

    /**
     * @param writeId the id the writer tagged the object with, or null (listings never know it)
     */
    public ObjectInfo(ObjectLocation location, long size, Instant lastModified, String writeId) {
        this.location = Objects.requireNonNull(location);
        this.size = size;
        this.lastModified = Objects.requireNonNull(lastModified);
        this.writeId = writeId;
    }

    public ObjectLocation location() {
        return location;
    }

    public long size() {
        return size;
    }

    public Instant lastModified() {
        return lastModified;
    }

    /**
     * The id a conditional create or a multipart upload tagged the object with; known from {@link
     * ObjectStore#head} only.
     */
    public Optional<String> writeId() {
        return Optional.ofNullable(writeId);
    }

    @Override
    public String toString() {
        return location + " (" + size + " bytes, " + lastModified + ")";
    }
}
