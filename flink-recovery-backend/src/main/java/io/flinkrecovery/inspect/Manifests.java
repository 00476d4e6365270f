package io.flinkrecovery.inspect;

import org.apache.flink.runtime.state.StreamStateHandle;
import org.apache.flink.runtime.state.filesystem.FileStateHandle;

import io.flinkrecovery.backend.snapshot.Manifest;
import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectStore;

import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/** Reads state handles through our object store, and the incremental heap backend's manifests. */
final class Manifests {

    private Manifests() {}

    /** The manifest in {@code handle}, or empty if it is not ours (RocksDB's) or is missing. */
    static Optional<Manifest> read(ObjectStore store, StreamStateHandle handle) throws IOException {
        byte[] bytes;
        try (InputStream in = open(store, handle)) {
            bytes = in.readAllBytes();
        } catch (FileNotFoundException e) {
            return Optional.empty(); // reported by the object checks
        }
        int magic =
                bytes.length < 4
                        ? 0
                        : (bytes[0] & 0xff) << 24
                                | (bytes[1] & 0xff) << 16
                                | (bytes[2] & 0xff) << 8
                                | (bytes[3] & 0xff);
        if (magic != Manifest.MAGIC) {
            return Optional.empty();
        }
        return Optional.of(Manifest.readBlocks(new ByteArrayInputStream(bytes), describe(handle)));
    }

    /** The object a handle is stored in, or empty for inlined and non-file handles. */
    static Optional<ObjectLocation> locationOf(StreamStateHandle handle) {
        return handle instanceof FileStateHandle && handle.asBytesIfInMemory().isEmpty()
                ? Optional.of(
                        ObjectLocation.parse(((FileStateHandle) handle).getFilePath().toUri()))
                : Optional.empty();
    }

    static InputStream open(ObjectStore store, StreamStateHandle handle) throws IOException {
        Optional<byte[]> inline = handle.asBytesIfInMemory();
        if (inline.isPresent()) {
            return new ByteArrayInputStream(inline.get());
        }
        if (handle instanceof FileStateHandle) {
            return store.open(
                    ObjectLocation.parse(((FileStateHandle) handle).getFilePath().toUri()));
        }
        return handle.openInputStream();
    }

    static String describe(StreamStateHandle handle) {
        return handle instanceof FileStateHandle
                ? ((FileStateHandle) handle).getFilePath().toString()
                : handle.getStreamStateHandleID().getKeyString();
    }
}
