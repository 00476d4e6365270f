package io.flinkrecovery.objectstore;

/** What a write does when the object already exists. */
public enum WriteMode {
    /** Replace the existing object. */
    OVERWRITE,
    /**
     * Create the object only if there is none ({@code If-None-Match: *}); otherwise fail with
     * {@link java.nio.file.FileAlreadyExistsException}. This is the commit primitive.
     */
    CREATE_NEW
}
