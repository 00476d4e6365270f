package io.flinkrecovery.inspect;

import io.flinkrecovery.objectstore.ObjectLocation;

/**
 * An object that a checkpoint's {@code _metadata} references, with the size the handle expects.
 * {@code exactSize} is false where the handle names only a range of the object (file merging).
 */
final class ReferencedObject {

    private final ObjectLocation location;
    private final long expectedSize;
    private final boolean exactSize;
    private final HandleOwner owner;
    private final boolean rocksDbSst;

    ReferencedObject(
            ObjectLocation location,
            long expectedSize,
            boolean exactSize,
            HandleOwner owner,
            boolean rocksDbSst) {
        this.location = location;
        this.expectedSize = expectedSize;
        this.exactSize = exactSize;
        this.owner = owner;
        this.rocksDbSst = rocksDbSst;
    }

    ObjectLocation location() {
        return location;
    }

    long expectedSize() {
        return expectedSize;
    }

    boolean exactSize() {
        return exactSize;
    }

    HandleOwner owner() {
        return owner;
    }

    /** Whether it is an SST file of RocksDB's incremental checkpoints (deep mode verifies it). */
    boolean rocksDbSst() {
        return rocksDbSst;
    }
}
