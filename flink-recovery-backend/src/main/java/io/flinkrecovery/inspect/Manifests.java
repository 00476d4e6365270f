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
        try (InputStream in = open(store, handle)) {
            byte[] magic = in.readNBytes(4);
            int value =
                    magic.length < 4
                            ? 0
                            : (magic[0] & 0xff) << 24
                                    | (magic[1] & 0xff) << 16
                                    | (magic[2] & 0xff) << 8
                                    | (magic[3] & 0xff);
            if (value != Manifest.MAGIC) {
                return Optional.empty();
            }
        } catch (FileNotFoundException e) {
            return Optional.empty(); // reported by the object checks
        }
        try (InputStream in = open(store, handle)) {
            return Optional.of(Manifest.readBlocks(in, describe(handle)));
        }
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
