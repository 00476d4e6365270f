package io.flinkrecovery.inspect;

import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.state.filesystem.AbstractFsCheckpointStorageAccess;

import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectStore;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Finds and reads a {@code _metadata} object with Flink's own loader, as the JobManager would. */
public final class MetadataLoader {

    static final String METADATA = AbstractFsCheckpointStorageAccess.METADATA_FILE_NAME;

    private MetadataLoader() {}

    /** The {@code _metadata} location of a pointer: a checkpoint directory or the file itself. */
    public static ObjectLocation metadataOf(String pointer) {
        ObjectLocation location = ObjectLocation.parse(pointer.trim());
        if (location.name().equals(METADATA) && !location.key().endsWith("/")) {
            return location;
        }
        return location.child(METADATA);
    }

    static CheckpointMetadata load(
            ObjectStore store, ObjectLocation metadata, ClassLoader classLoader)
            throws IOException {
        try (InputStream in = new BufferedInputStream(store.open(metadata), 64 * 1024)) {
            return Checkpoints.loadCheckpointMetadata(
                    new DataInputStream(in), classLoader, metadata.parent().toString());
        }
    }
}
