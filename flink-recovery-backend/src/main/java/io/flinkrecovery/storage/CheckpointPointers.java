package io.flinkrecovery.storage;

import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.state.filesystem.AbstractFsCheckpointStorageAccess;
import org.apache.flink.runtime.state.filesystem.FileStateHandle;
import org.apache.flink.runtime.state.filesystem.FsCompletedCheckpointStorageLocation;

import io.flinkrecovery.fs.S3FileSystem;
import io.flinkrecovery.inspect.MetadataLoader;
import io.flinkrecovery.objectstore.ObjectInfo;
import io.flinkrecovery.objectstore.ObjectLocation;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.util.Optional;

/**
 * Resolves what a user passes as {@code execution.state-recovery.path} or {@code -s}: a checkpoint
 * or savepoint directory, or its {@code _metadata} object. A checkpoint exists if and only if its
 * {@code _metadata} does, because {@code _metadata} is written last.
 */
final class CheckpointPointers {

    static final String METADATA_FILE_NAME = AbstractFsCheckpointStorageAccess.METADATA_FILE_NAME;

    private CheckpointPointers() {}

    static FsCompletedCheckpointStorageLocation resolve(S3FileSystem fs, String pointer)
            throws IOException {
        ObjectLocation metadata = metadataLocation(pointer);
        ObjectLocation directory = metadata.parent();
        Optional<ObjectInfo> metadataObject = fs.objectStore().head(metadata);
        if (metadataObject.isEmpty()) {
            boolean anythingStored = !fs.objectStore().listDirectory(directory).isEmpty();
            throw new FileNotFoundException(
                    "Cannot restore from "
                            + pointer
                            + ": "
                            + (anythingStored
                                    ? "the checkpoint has no "
                                            + METADATA_FILE_NAME
                                            + " ("
                                            + metadata
                                            + "), so it never completed or its metadata was deleted."
                                    : "no checkpoint or savepoint is stored there.")
                            + " Point execution.state-recovery.path at a completed checkpoint"
                            + " (chk-<n> with a "
                            + METADATA_FILE_NAME
                            + ") or a savepoint.");
        }
        Path directoryPath = new Path(directory.toUri());
        FileStateHandle metadataHandle =
                new FileStateHandle(new Path(metadata.toUri()), metadataObject.get().size());
        return new FsCompletedCheckpointStorageLocation(
                fs, directoryPath, metadataHandle, directoryPath.toString());
    }

    /** Whether {@code pointer} is an {@code s3://} location that this storage resolves itself. */
    static boolean isS3Pointer(String pointer) {
        try {
            return ObjectLocation.SCHEME.equalsIgnoreCase(URI.create(pointer).getScheme());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static ObjectLocation metadataLocation(String pointer) throws IOException {
        try {
            return MetadataLoader.metadataOf(pointer);
        } catch (IllegalArgumentException e) {
            throw new IOException(
                    "Invalid checkpoint pointer '"
                            + pointer
                            + "': expected s3://<bucket>/<path>/chk-<n>, a savepoint directory, or"
                            + " the "
                            + METADATA_FILE_NAME
                            + " object inside one",
                    e);
        }
    }
}
