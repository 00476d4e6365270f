package io.flinkrecovery.objectstore;

import java.time.Instant;
import java.util.Objects;

/** A multipart upload that was started and neither completed nor aborted. */
public final class PendingUpload {

    private final ObjectLocation location;
    private final String uploadId;
    private final Instant initiated;

    public PendingUpload(ObjectLocation location, String uploadId, Instant initiated) {
        this.location = Objects.requireNonNull(location, "location");
        this.uploadId = Objects.requireNonNull(uploadId, "uploadId");
        this.initiated = Objects.requireNonNull(initiated, "initiated");
    }

    /** The object the upload creates once it completes. */
    public ObjectLocation location() {
        return location;
    }

    public String uploadId() {
        return uploadId;
    }

    public Instant initiated() {
        return initiated;
    }

    @Override
    public String toString() {
        return location + " (multipart upload " + uploadId + ", started " + initiated + ")";
    }
}
