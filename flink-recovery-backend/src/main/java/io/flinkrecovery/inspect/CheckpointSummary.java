package io.flinkrecovery.inspect;

import java.time.Instant;

/** One {@code chk-<n>} or savepoint directory as {@code list} shows it. */
public final class CheckpointSummary {

    /** Whether the directory holds a committed checkpoint. */
    public enum Status {
        /** {@code _metadata} exists: Flink can try to restore it. */
        COMPLETED,
        /** No {@code _metadata}: in progress, failed, or partly deleted. */
        INCOMPLETE
    }

    private final String pointer;
    private final long checkpointId;
    private final Status status;
    private final int objects;
    private final long bytes;
    private final Instant lastModified;

    CheckpointSummary(
            String pointer,
            long checkpointId,
            Status status,
            int objects,
            long bytes,
            Instant lastModified) {
        this.pointer = pointer;
        this.checkpointId = checkpointId;
        this.status = status;
        this.objects = objects;
        this.bytes = bytes;
        this.lastModified = lastModified;
    }

    public String pointer() {
        return pointer;
    }

    /** The n of {@code chk-<n>}, or -1 for a savepoint. */
    public long checkpointId() {
        return checkpointId;
    }

    public Status status() {
        return status;
    }

    /** Objects in the directory itself (exclusive state and {@code _metadata}). */
    public int objects() {
        return objects;
    }

    public long bytes() {
        return bytes;
    }

    public Instant lastModified() {
        return lastModified;
    }
}
