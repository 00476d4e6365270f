package io.flinkrecovery.backend.snapshot;

import org.apache.flink.util.FileUtils;
import org.apache.flink.util.IOUtils;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.annotation.Nullable;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The segment bytes a restore downloaded, kept on local disk so that the first checkpoint after the
 * restore can make a complete local copy: without them its manifest would reference segments that
 * no local copy holds. Each downloaded range is written at its offset into a file named as the
 * segment, so the file holds exactly the blocks the restored manifest references (the rest is a
 * hole). Once no local copy references a segment any more, its file here is deleted.
 *
 * <p>Thread-safe: restore threads write ranges of the same segment at once.
 */
public final class RestoredSegments {

    private static final Logger LOG = LoggerFactory.getLogger(RestoredSegments.class);

    private final Path directory;
    private final Map<String, FileChannel> open = new HashMap<>();
    private boolean failed;

    RestoredSegments(Path directory) {
        this.directory = directory;
    }

    /**
     * Writes a downloaded range of {@code segment}. Never throws: after a failure the restore goes
     * on and nothing is kept.
     */
    public void write(String segment, long offset, byte[] data) {
        try {
            FileChannel channel = channel(segment);
            if (channel == null) {
                return;
            }
            ByteBuffer buffer = ByteBuffer.wrap(data);
            long position = offset;
            while (buffer.hasRemaining()) {
                position += channel.write(buffer, position);
            }
        } catch (IOException e) {
            fail(e);
        }
    }

    /**
     * Closes the files after a successful restore; returns their directory, or null if a write
     * failed (then nothing is kept).
     */
    @Nullable
    public Path finish() {
        synchronized (this) {
            open.values().forEach(IOUtils::closeQuietly);
            open.clear();
            if (!failed) {
                return directory;
            }
        }
        delete();
        return null;
    }

    /** Deletes every file; for a failed restore, or when the backend is disposed. */
    public void delete() {
        synchronized (this) {
            open.values().forEach(IOUtils::closeQuietly);
            open.clear();
        }
        try {
            FileUtils.deleteDirectory(directory.toFile());
        } catch (IOException e) {
            LOG.warn("Cannot delete the restored segments in {}", directory, e);
        }
    }

    /** Deletes the files of the segments that no local copy references any more. */
    void forgetAllBut(Set<String> referenced) {
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (!referenced.contains(file.getFileName().toString())) {
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException e) {
            LOG.warn("Cannot delete restored segments in {}", directory, e);
        }
    }

    private synchronized FileChannel channel(String segment) throws IOException {
        if (failed) {
            return null;
        }
        FileChannel channel = open.get(segment);
        if (channel == null) {
            channel =
                    FileChannel.open(
                            directory.resolve(segment),
                            StandardOpenOption.CREATE,
                            StandardOpenOption.WRITE,
                            StandardOpenOption.SPARSE);
            open.put(segment, channel);
        }
        return channel;
    }

    private synchronized void fail(IOException e) {
        if (!failed) {
            failed = true;
            LOG.warn(
                    "Cannot keep the segments this restore downloads in {}; the next checkpoint"
                            + " has no local copy",
                    directory,
                    e);
        }
    }
}
