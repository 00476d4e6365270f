package io.flinkrecovery.backend.snapshot;

import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.state.DirectoryStateHandle;
import org.apache.flink.runtime.state.IncrementalKeyedStateHandle.HandleAndLocalPath;
import org.apache.flink.runtime.state.IncrementalLocalKeyedStateHandle;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.filesystem.FileStateHandle;
import org.apache.flink.util.FileUtils;
import org.apache.flink.util.IOUtils;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.annotation.Nullable;

import java.io.BufferedOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * The local copy of one checkpoint, built beside its upload: the new segment's bytes are written to
 * a local file as they are uploaded, the manifest is written again locally, and the earlier
 * segments the manifest references are hard-linked (copied where links fail, such as across
 * devices) from the copy that holds them. A failure here never fails the checkpoint: the copy is
 * dropped, and the checkpoint has no local state.
 */
final class LocalSnapshotCopy {

    private static final Logger LOG = LoggerFactory.getLogger(LocalSnapshotCopy.class);

    private final LocalBackup backup;
    private final Path directory;
    private final long checkpointId;
    @Nullable private SegmentFile segment;
    @Nullable private FileStateHandle manifest;

    private LocalSnapshotCopy(LocalBackup backup, Path directory, long checkpointId) {
        this.backup = backup;
        this.directory = directory;
        this.checkpointId = checkpointId;
    }

    static LocalSnapshotCopy create(LocalBackup backup, File checkpointDir, long checkpointId)
            throws IOException {
        Path directory =
                checkpointDir.toPath().resolve(LocalCopyFiles.DIRECTORY_PREFIX + UUID.randomUUID());
        Files.createDirectories(directory);
        return new LocalSnapshotCopy(backup, directory, checkpointId);
    }

    /**
     * A stream for the new segment's local file. It never throws: a failed local write is
     * remembered and reported by {@link #complete}, and the upload goes on.
     */
    OutputStream segmentStream(String name) {
        segment = new SegmentFile(directory.resolve(name));
        return segment;
    }

    /** Writes the manifest's bytes, named by their CRC32C so that a restore can verify them. */
    void writeManifest(ManifestWriter writer) {
        try {
            DataOutputSerializer out = new DataOutputSerializer(4096);
            writer.write(out);
            CRC32C crc = new CRC32C();
            crc.update(out.getSharedBuffer(), 0, out.length());
            Path file = directory.resolve(LocalCopyFiles.manifestName((int) crc.getValue()));
            Files.write(file, out.getCopyOfBuffer());
            manifest =
                    new FileStateHandle(
                            new org.apache.flink.core.fs.Path(file.toUri()), out.length());
        } catch (IOException | RuntimeException e) {
            LOG.warn(
                    "Cannot write the local manifest of checkpoint {} in {}",
                    checkpointId,
                    directory,
                    e);
        }
    }

    /**
     * Finishes the copy: closes the new segment's file and links every earlier segment of {@code
     * shared} (the real handles, named by segment). Returns the local handle, or null (and drops
     * the copy) if any part is missing.
     */
    @Nullable
    IncrementalLocalKeyedStateHandle complete(
            UUID backendId,
            KeyGroupRange keyGroupRange,
            List<HandleAndLocalPath> shared,
            @Nullable String newSegment) {
        try {
            if (manifest == null) {
                throw new IOException("the local manifest was not written");
            }
            if (segment != null) {
                segment.finish();
            }
            List<String> names = new ArrayList<>(shared.size());
            for (HandleAndLocalPath handle : shared) {
                names.add(handle.getLocalPath());
                if (!handle.getLocalPath().equals(newSegment)) {
                    link(handle.getLocalPath());
                }
            }
            IncrementalLocalKeyedStateHandle handle =
                    new IncrementalLocalKeyedStateHandle(
                            backendId,
                            checkpointId,
                            DirectoryStateHandle.forPathWithSize(directory),
                            keyGroupRange,
                            manifest,
                            shared);
            backup.recordCopy(checkpointId, directory, names);
            return handle;
        } catch (IOException | RuntimeException e) {
            LOG.info(
                    "Checkpoint {} has no local copy ({}); a restore of it downloads from the"
                            + " checkpoint storage",
                    checkpointId,
                    e.getMessage(),
                    e);
            discard();
            return null;
        }
    }

    /** Deletes what the copy wrote so far; for a failed or cancelled snapshot. */
    void discard() {
        if (segment != null) {
            IOUtils.closeQuietly(segment);
        }
        try {
            FileUtils.deleteDirectory(directory.toFile());
        } catch (IOException e) {
            LOG.warn("Cannot delete the incomplete local copy {}", directory, e);
        }
    }

    private void link(String name) throws IOException {
        Path target = directory.resolve(name);
        List<File> places = backup.placesOf(name);
        IOException last = null;
        for (File place : places) {
            try {
                Files.createLink(target, place.toPath());
                return;
            } catch (NoSuchFileException e) {
                // That copy was discarded already: try an older one.
                last = e;
            } catch (FileAlreadyExistsException e) {
                throw e;
            } catch (IOException | UnsupportedOperationException e) {
                // Another file system (a second local root directory) or no hard links: copy.
                try {
                    Files.copy(place.toPath(), target);
                    return;
                } catch (NoSuchFileException missing) {
                    last = missing;
                }
            }
        }
        throw new IOException(
                "segment "
                        + name
                        + " is in no local copy"
                        + (places.isEmpty() ? "" : " (looked in " + places + ")"),
                last);
    }

    /** Writes the manifest to a local output. */
    interface ManifestWriter {
        void write(DataOutputSerializer out) throws IOException;
    }

    /** The new segment's local file; stops writing, without throwing, at the first failure. */
    private static final class SegmentFile extends OutputStream {

        private final Path file;
        @Nullable private OutputStream out;
        @Nullable private IOException failure;

        SegmentFile(Path file) {
            this.file = file;
            try {
                out = new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024);
            } catch (IOException e) {
                failure = e;
            }
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            if (failure != null) {
                return;
            }
            try {
                out.write(bytes, offset, length);
            } catch (IOException e) {
                failure = e;
                IOUtils.closeQuietly(out);
            }
        }

        /** Closes the file; throws the first failure, naming the file. */
        void finish() throws IOException {
            if (failure == null) {
                try {
                    out.close();
                } catch (IOException e) {
                    failure = e;
                }
            }
            if (failure != null) {
                throw new IOException("cannot write the local segment " + file, failure);
            }
        }

        @Override
        public void close() {
            if (out != null) {
                IOUtils.closeQuietly(out);
            }
        }
    }
}
