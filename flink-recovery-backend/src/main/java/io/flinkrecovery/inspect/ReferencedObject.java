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

    ReferencedObject(
            ObjectLocation location, long expectedSize, boolean exactSize, HandleOwner owner) {
        this.location = location;
        this.expectedSize = expectedSize;
        this.exactSize = exactSize;
        this.owner = owner;
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
}
