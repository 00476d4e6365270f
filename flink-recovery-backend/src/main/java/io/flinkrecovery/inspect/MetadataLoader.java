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

    /**
     * Reads {@code metadata} with Flink's loader, after its header: a version the Flink on the
     * class path cannot read fails with a message that says which Flink line wrote it.
     */
    static Loaded load(ObjectStore store, ObjectLocation metadata, ClassLoader classLoader)
            throws IOException {
        try (InputStream in = new BufferedInputStream(store.open(metadata), 64 * 1024)) {
            DataInputStream data = new DataInputStream(in);
            in.mark(Integer.BYTES * 2);
            boolean flinkHeader = data.readInt() == Checkpoints.HEADER_MAGIC_NUMBER;
            MetadataVersion version = new MetadataVersion(data.readInt());
            in.reset();
            if (flinkHeader && !version.readableHere()) {
                throw new IOException(version.unreadableHere(metadata));
            }
            CheckpointMetadata loaded =
                    Checkpoints.loadCheckpointMetadata(
                            data, classLoader, metadata.parent().toString());
            return new Loaded(loaded, version);
        }
    }

    /** A {@code _metadata} as Flink loaded it, with the format version of its header. */
    static final class Loaded {
        final CheckpointMetadata metadata;
        final MetadataVersion version;

        private Loaded(CheckpointMetadata metadata, MetadataVersion version) {
            this.metadata = metadata;
            this.version = version;
        }
    }
}
