package io.flinkrecovery.backend.snapshot;

import org.apache.flink.runtime.state.LocalRecoveryConfig;
import org.apache.flink.runtime.state.LocalSnapshotDirectoryProvider;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.annotation.Nullable;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The task-local copies of one keyed backend's checkpoints ({@code
 * execution.checkpointing.local-backup.enabled}). Each checkpoint's copy is a directory in the
 * checkpoint's local directory, which Flink's {@code TaskLocalStateStore} deletes once a newer
 * checkpoint is confirmed; the copy holds the manifest, the checkpoint's new segment, and a hard
 * link to every earlier segment the manifest still references. This class remembers where the
 * copies put each segment, so that the next copy can link it.
 *
 * <p>Thread-safe: snapshots of overlapping checkpoints copy at once.
 */
public final class LocalBackup {

    private static final Logger LOG = LoggerFactory.getLogger(LocalBackup.class);

    /** Where a segment is kept, also in older copies, in case the newest copy was discarded. */
    private static final int PLACES_KEPT = 3;

    private final LocalSnapshotDirectoryProvider directories;

    /** Segment name to the local files that hold it, the newest first. */
    private final Map<String, Deque<File>> places = new HashMap<>();

    /** What the restore of this backend downloaded, or null. */
    @Nullable private RestoredSegments restored;

    private LocalBackup(LocalSnapshotDirectoryProvider directories) {
        this.directories = directories;
    }

    /** The local backup that {@code config} asks for, or null if local backup is off. */
    @Nullable
    public static LocalBackup of(LocalRecoveryConfig config) {
        if (!config.isLocalBackupEnabled()) {
            return null;
        }
        return config.getLocalStateDirectoryProvider().map(LocalBackup::new).orElse(null);
    }

    /**
     * Starts the copy of checkpoint {@code checkpointId}, or returns null (and logs why) if its
     * directory cannot be created: the checkpoint then goes without a local copy.
     */
    @Nullable
    LocalSnapshotCopy open(long checkpointId) {
        File checkpointDir = directories.subtaskSpecificCheckpointDirectory(checkpointId);
        try {
            return LocalSnapshotCopy.create(this, checkpointDir, checkpointId);
        } catch (IOException e) {
            LOG.warn(
                    "Cannot create the local copy of checkpoint {} in {}; checkpoint {} has no"
                            + " local copy, and a restore of it downloads from the checkpoint"
                            + " storage",
                    checkpointId,
                    checkpointDir,
                    checkpointId,
                    e);
            return null;
        }
    }

    /** The local files that may hold {@code segment}, the newest first. */
    synchronized List<File> placesOf(String segment) {
        Deque<File> files = places.get(segment);
        return files == null ? List.of() : List.copyOf(files);
    }

    /**
     * Records the segments of a complete local copy in {@code directory}: later copies link them
     * from there. Segments the copy no longer references are forgotten (and their downloaded files
     * deleted), as later copies build on this one or a newer one and never reference them again.
     */
    synchronized void recordCopy(Path directory, Collection<String> segments) {
        for (Iterator<String> known = places.keySet().iterator(); known.hasNext(); ) {
            String segment = known.next();
            if (!segments.contains(segment)) {
                known.remove();
                if (restored != null) {
                    restored.forget(segment);
                }
            }
        }
        for (String segment : segments) {
            Deque<File> files = places.computeIfAbsent(segment, s -> new ArrayDeque<>());
            files.addFirst(directory.resolve(segment).toFile());
            while (files.size() > PLACES_KEPT) {
                files.removeLast();
            }
        }
    }

    /**
     * Where a restore from the checkpoint storage keeps the segment bytes it downloads, so that the
     * next checkpoint can have a local copy; null (logged) if the directory cannot be created.
     */
    @Nullable
    public RestoredSegments keepDownloads(long checkpointId) {
        Path directory =
                directories
                        .subtaskBaseDirectory(checkpointId)
                        .toPath()
                        .resolve(LocalCopyFiles.DIRECTORY_PREFIX + "restored-" + UUID.randomUUID());
        try {
            Files.createDirectories(directory);
            return new RestoredSegments(directory);
        } catch (IOException e) {
            LOG.warn(
                    "Cannot create {} for the segments a restore downloads; the first checkpoint"
                            + " after the restore has no local copy",
                    directory,
                    e);
            return null;
        }
    }

    /**
     * Records where the restored segments are on local disk: in the local copy the backend was
     * restored from, or in the files of {@code downloads}. The first checkpoint after the restore
     * links them instead of finding none.
     */
    public synchronized void restored(
            Map<String, Path> segmentFiles, @Nullable RestoredSegments downloads) {
        places.clear();
        segmentFiles.forEach(
                (segment, file) ->
                        places.computeIfAbsent(segment, s -> new ArrayDeque<>())
                                .add(file.toFile()));
        restored = downloads;
    }

    /** Deletes the downloaded segments; the local copies belong to Flink's local state store. */
    public synchronized void dispose() {
        if (restored != null) {
            restored.delete();
            restored = null;
        }
    }
}
