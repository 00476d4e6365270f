package io.flinkrecovery.storage;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.state.CheckpointStorage;
import org.apache.flink.runtime.state.CheckpointStorageAccess;
import org.apache.flink.runtime.state.CompletedCheckpointStorageLocation;
import org.apache.flink.runtime.state.ConfigurableCheckpointStorage;

import io.flinkrecovery.config.StorageOptions;
import io.flinkrecovery.fs.S3FileSystem;
import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectStore;
import io.flinkrecovery.objectstore.s3.S3ClientSettings;
import io.flinkrecovery.objectstore.s3.S3ObjectStores;

import javax.annotation.Nullable;

import java.io.IOException;
import java.util.Objects;

/**
 * Checkpoint storage on any S3-compatible store through AWS SDK v2, with no Hadoop. Select it with
 * {@code execution.checkpointing.storage: io.flinkrecovery.storage.S3CheckpointStorageFactory} and
 * {@code execution.checkpointing.dir: s3://bucket/prefix}; it works with every state backend.
 */
public final class S3CheckpointStorage implements CheckpointStorage, ConfigurableCheckpointStorage {

    private static final long serialVersionUID = 1L;

    static final long MAX_INLINE_THRESHOLD = 1024 * 1024;

    private final ObjectLocation checkpointDirectory;
    @Nullable private final String savepointDirectory;
    private final boolean createCheckpointSubDirs;
    private final int inlineThreshold;
    private final int writeBufferSize;
    private final S3ClientSettings settings;
    private final CheckpointResolver resolver;

    private S3CheckpointStorage(
            ObjectLocation checkpointDirectory,
            @Nullable String savepointDirectory,
            ReadableConfig config) {
        this.checkpointDirectory = checkpointDirectory;
        this.savepointDirectory = savepointDirectory;
        this.createCheckpointSubDirs = config.get(CheckpointingOptions.CREATE_CHECKPOINT_SUB_DIR);
        long threshold = config.get(StorageOptions.INLINE_THRESHOLD).getBytes();
        if (threshold > MAX_INLINE_THRESHOLD) {
            throw new IllegalConfigurationException(
                    "Invalid "
                            + StorageOptions.INLINE_THRESHOLD.key()
                            + ": "
                            + config.get(StorageOptions.INLINE_THRESHOLD)
                            + " (must be ≤ 1mb, because inlined state travels in RPC messages)");
        }
        this.inlineThreshold = (int) threshold;
        long buffer = config.get(StorageOptions.WRITE_BUFFER_SIZE).getBytes();
        if (buffer > Integer.MAX_VALUE / 2) {
            throw new IllegalConfigurationException(
                    "Invalid "
                            + StorageOptions.WRITE_BUFFER_SIZE.key()
                            + ": "
                            + config.get(StorageOptions.WRITE_BUFFER_SIZE)
                            + " (must be < 1gb)");
        }
        this.writeBufferSize = (int) Math.max(buffer, threshold);
        this.settings = S3ClientSettings.fromConfig(config);
        this.resolver = new CheckpointResolver(config);
    }

    /** Storage for {@code checkpointDirectory}, with every other setting at its default. */
    public S3CheckpointStorage(String checkpointDirectory) {
        this(
                parseDirectory(
                        CheckpointingOptions.CHECKPOINTS_DIRECTORY.key(), checkpointDirectory),
                null,
                new Configuration());
    }

    /**
     * Reads the storage from Flink's configuration.
     *
     * @throws IllegalConfigurationException naming the first missing or invalid key
     */
    public static S3CheckpointStorage fromConfig(ReadableConfig config) {
        String directory = config.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY);
        if (directory == null) {
            throw new IllegalConfigurationException(
                    "Missing "
                            + CheckpointingOptions.CHECKPOINTS_DIRECTORY.key()
                            + ": S3CheckpointStorage needs s3://<bucket>/<prefix>");
        }
        return new S3CheckpointStorage(
                parseDirectory(CheckpointingOptions.CHECKPOINTS_DIRECTORY.key(), directory),
                savepointDirectory(config.get(CheckpointingOptions.SAVEPOINT_DIRECTORY)),
                config);
    }

    /** Keeps the directories set in code and takes everything else from {@code config}. */
    @Override
    public S3CheckpointStorage configure(ReadableConfig config, ClassLoader classLoader) {
        String savepoints =
                savepointDirectory != null
                        ? savepointDirectory
                        : savepointDirectory(config.get(CheckpointingOptions.SAVEPOINT_DIRECTORY));
        return new S3CheckpointStorage(checkpointDirectory, savepoints, config);
    }

    @Override
    public CompletedCheckpointStorageLocation resolveCheckpoint(String pointer) throws IOException {
        return CheckpointPointers.isS3Pointer(pointer)
                ? resolver.resolve(fileSystem(), pointer)
                : org.apache.flink.runtime.state.filesystem.AbstractFsCheckpointStorageAccess
                        .resolveCheckpointPointer(pointer);
    }

    @Override
    public CheckpointStorageAccess createCheckpointStorage(JobID jobId) throws IOException {
        return new S3CheckpointStorageAccess(
                fileSystem(),
                new Path(checkpointDirectory.toUri()),
                savepointDirectory == null ? null : new Path(savepointDirectory),
                createCheckpointSubDirs,
                jobId,
                inlineThreshold,
                writeBufferSize,
                resolver);
    }

    public ObjectLocation getCheckpointDirectory() {
        return checkpointDirectory;
    }

    @Nullable
    public String getSavepointDirectory() {
        return savepointDirectory;
    }

    public int getInlineThreshold() {
        return inlineThreshold;
    }

    /** The store this storage writes to, shared with the {@code s3} file system. */
    public ObjectStore objectStore() {
        return S3ObjectStores.forSettings(settings);
    }

    private S3FileSystem fileSystem() {
        return S3FileSystem.withoutRecoverableWriter(checkpointDirectory.toUri(), objectStore());
    }

    private static ObjectLocation parseDirectory(String key, String value) {
        try {
            return ObjectLocation.parse(value.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalConfigurationException(
                    "Invalid " + key + ": " + value + " (expected s3://<bucket>/<prefix>)", e);
        }
    }

    @Nullable
    private static String savepointDirectory(@Nullable String value) {
        if (value == null || value.trim().isEmpty()) {
            return null;
        }
        try {
            new Path(value.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalConfigurationException(
                    "Invalid " + CheckpointingOptions.SAVEPOINT_DIRECTORY.key() + ": " + value, e);
        }
        return value.trim();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof S3CheckpointStorage)) {
            return false;
        }
        S3CheckpointStorage that = (S3CheckpointStorage) o;
        return checkpointDirectory.equals(that.checkpointDirectory)
                && Objects.equals(savepointDirectory, that.savepointDirectory)
                && createCheckpointSubDirs == that.createCheckpointSubDirs
                && inlineThreshold == that.inlineThreshold
                && writeBufferSize == that.writeBufferSize
                && settings.equals(that.settings);
    }

    @Override
    public int hashCode() {
        return Objects.hash(checkpointDirectory, savepointDirectory, inlineThreshold);
    }

    @Override
    public String toString() {
        return "S3CheckpointStorage{checkpoints="
                + checkpointDirectory
                + ", savepoints="
                + savepointDirectory
                + ", inlineThreshold="
                + inlineThreshold
                + ", "
                + settings
                + "}";
    }
}
