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
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The task-local copies of one keyed backend's checkpoints ({@code
 * execution.checkpointing.local-backup.enabled}). Each checkpoint's copy is a directory in the
 * checkpoint's local directory, which Flink's {@code TaskLocalStateStore} deletes once a newer
 * checkpoint is confirmed; the copy holds the manifest, the checkpoint's new segment, and a hard
 * link to every earlier segment the manifest still references. This class remembers which copies
 * may still exist and which segments each holds, so that the next copy can link them.
 *
 * <p>Thread-safe: snapshots of overlapping checkpoints copy at once, and the task thread delivers
 * confirmations.
 */
public final class LocalBackup {

    private static final Logger LOG = LoggerFactory.getLogger(LocalBackup.class);

    private final LocalSnapshotDirectoryProvider directories;

    /**
     * The copies that may still exist, by checkpoint id: segment name to its file. Flink deletes
     * the copies older than a confirmed checkpoint, and so does this map; a copy of an aborted
     * checkpoint is removed too. The restored copy (or the downloads) is under the restored id.
     */
    private final NavigableMap<Long, Map<String, File>> copies = new TreeMap<>();

    /** What the restore of this backend downloaded, or null. */
    @Nullable private RestoredSegments downloads;

    /** The id under which {@link #downloads} is in {@link #copies}. */
    private long downloadsId;

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

    /** The local files that may hold {@code segment}, the newest copy first. */
    synchronized List<File> placesOf(String segment) {
        List<File> places = new ArrayList<>();
        for (Map<String, File> copy : copies.descendingMap().values()) {
            File file = copy.get(segment);
            if (file != null) {
                places.add(file);
            }
        }
        return places;
    }

    /** Records a complete local copy of {@code checkpointId} in {@code directory}. */
    synchronized void recordCopy(long checkpointId, Path directory, Collection<String> segments) {
        Map<String, File> files = new HashMap<>();
        for (String segment : segments) {
            files.put(segment, directory.resolve(segment).toFile());
        }
        copies.put(checkpointId, files);
    }

    /**
     * Forgets the copies older than {@code checkpointId}, which Flink deletes now. The downloads
     * are kept until a newer copy exists, and then only the segments some copy still references.
     */
    public synchronized void confirmed(long checkpointId) {
        if (!copies.containsKey(checkpointId)) {
            // No copy of it here: keep whatever else is still on disk.
            copies.headMap(checkpointId, false).keySet().removeIf(id -> id != downloadsId);
            return;
        }
        copies.headMap(checkpointId, false).clear();
        if (downloads != null) {
            Set<String> referenced = new HashSet<>();
            copies.values().forEach(copy -> referenced.addAll(copy.keySet()));
            downloads.forgetAllBut(referenced);
        }
    }

    /** Forgets the copy of an aborted checkpoint: Flink deletes it. */
    public synchronized void aborted(long checkpointId) {
        if (checkpointId != downloadsId) {
            copies.remove(checkpointId);
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
     * Records where the segments of restored checkpoint {@code checkpointId} are on local disk: in
     * the local copy the backend was restored from, or in the files of {@code downloads}. The first
     * checkpoint after the restore links them instead of finding none.
     */
    public synchronized void restored(
            long checkpointId,
            Map<String, Path> segmentFiles,
            @Nullable RestoredSegments downloads) {
        Map<String, File> files = new HashMap<>();
        segmentFiles.forEach((segment, file) -> files.put(segment, file.toFile()));
        copies.clear();
        copies.put(checkpointId, files);
        this.downloads = downloads;
        this.downloadsId = downloads == null ? -1 : checkpointId;
    }

    /** Deletes the downloaded segments; the local copies belong to Flink's local state store. */
    public synchronized void dispose() {
        if (downloads != null) {
            downloads.delete();
            downloads = null;
        }
    }
}
