package io.flinkrecovery.backend.snapshot;

import org.apache.flink.runtime.state.IncrementalLocalKeyedStateHandle;
import org.apache.flink.runtime.state.StreamStateHandle;
import org.apache.flink.runtime.state.filesystem.FileStateHandle;
import org.apache.flink.runtime.state.memory.ByteStreamStateHandle;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The files of a local copy ({@link LocalSnapshotCopy}): {@code segment-<uuid>} files named as the
 * manifest names them, and {@code manifest-<crc32c>}, whose name carries the checksum of its bytes.
 * Restore reads a local copy through here and fails on anything missing or corrupt, so that Flink
 * falls back to the checkpoint storage.
 */
public final class LocalCopyFiles {

    static final String DIRECTORY_PREFIX = "incremental-heap-";

    private static final String MANIFEST_PREFIX = "manifest-";

    private LocalCopyFiles() {}

    static String manifestName(int crc) {
        return MANIFEST_PREFIX + String.format("%08x", crc);
    }

    /**
     * The manifest's bytes after checking them against the checksum in the file's name, as an
     * in-memory handle for {@link Manifest#read}.
     */
    public static StreamStateHandle verifiedManifest(IncrementalLocalKeyedStateHandle handle)
            throws IOException {
        StreamStateHandle meta = handle.getMetaDataStateHandle();
        if (!(meta instanceof FileStateHandle)) {
            throw new IOException("Unexpected local manifest handle " + meta);
        }
        Path file = new File(((FileStateHandle) meta).getFilePath().toUri()).toPath();
        String name = file.getFileName().toString();
        if (!name.startsWith(MANIFEST_PREFIX)) {
            throw new IOException("Unexpected local manifest file " + file);
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IOException("Local manifest " + file + " is missing", e);
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length);
        String expected = name.substring(MANIFEST_PREFIX.length());
        if (!manifestName((int) crc.getValue()).equals(name)) {
            throw new IOException(
                    "Local manifest "
                            + file
                            + " is corrupt: CRC32C is "
                            + String.format("%08x", (int) crc.getValue())
                            + ", expected "
                            + expected);
        }
        return new ByteStreamStateHandle(file.toString(), bytes);
    }

    /**
     * The local file of segment {@code name} of a local copy. Its blocks are verified by their
     * CRC32C when applied; a missing file fails the first read.
     */
    public static StreamStateHandle segment(IncrementalLocalKeyedStateHandle handle, String name)
            throws IOException {
        Path file = handle.getDirectoryStateHandle().getDirectory().resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new IOException("Local segment " + file + " is missing");
        }
        return new FileStateHandle(
                new org.apache.flink.core.fs.Path(file.toUri()), Files.size(file));
    }
}
