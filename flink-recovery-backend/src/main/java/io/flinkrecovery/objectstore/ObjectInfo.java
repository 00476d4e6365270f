package io.flinkrecovery.objectstore;

import java.time.Instant;
import java.util.Objects;

/** What a HEAD or a listing tells about one object. */
public final class ObjectInfo {

    private final ObjectLocation location;
    private final long size;
    private final Instant lastModified;

    public ObjectInfo(ObjectLocation location, long size, Instant lastModified) {
        this.location = Objects.requireNonNull(location);
        this.size = size;
        this.lastModified = Objects.requireNonNull(lastModified);
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

    @Override
    public String toString() {
        return location + " (" + size + " bytes, " + lastModified + ")";
    }
}
