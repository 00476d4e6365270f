package io.flinkrecovery.objectstore;

import java.util.List;

/** One level of a key hierarchy: the objects directly below a prefix, and its sub-prefixes. */
public final class DirectoryListing {

    private final List<ObjectInfo> objects;
    private final List<ObjectLocation> subdirectories;

    public DirectoryListing(List<ObjectInfo> objects, List<ObjectLocation> subdirectories) {
        this.objects = List.copyOf(objects);
        this.subdirectories = List.copyOf(subdirectories);
    }

    public List<ObjectInfo> objects() {
        return objects;
    }

    public List<ObjectLocation> subdirectories() {
        return subdirectories;
    }

    public boolean isEmpty() {
        return objects.isEmpty() && subdirectories.isEmpty();
    }
}
