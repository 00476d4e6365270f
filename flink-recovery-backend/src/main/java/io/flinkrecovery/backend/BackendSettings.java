package io.flinkrecovery.backend;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.configuration.ReadableConfig;

import io.flinkrecovery.backend.restore.DeferredKeyedState;
import io.flinkrecovery.config.BackendOptions;
import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.s3.S3ClientSettings;

import javax.annotation.Nullable;

import java.io.Serializable;
import java.util.Locale;
import java.util.Objects;

/**
 * The {@code recovery.backend.*} options of one {@link IncrementalHeapStateBackend}, read once and
 * validated eagerly, plus the S3 settings used for ranged reads at restore.
 */
public final class BackendSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    static final double MIN_AMPLIFICATION = 1.1;
    static final double MAX_AMPLIFICATION = 100.0;
    static final int MAX_RESTORE_THREADS = 256;
    static final int MAX_REWRITE_INTERVAL = 100;

    private final int maxDeltas;
    private final double maxSpaceAmplification;
    private final int rewriteInterval;
    private final int restoreThreads;
    private final boolean restoreDeferred;
    @Nullable private final S3ClientSettings s3Settings;
    private final boolean s3CheckpointStorage;

    BackendSettings(
            int maxDeltas,
            double maxSpaceAmplification,
            int rewriteInterval,
            int restoreThreads,
            boolean restoreDeferred,
            @Nullable S3ClientSettings s3Settings,
            boolean s3CheckpointStorage) {
        this.maxDeltas = maxDeltas;
        this.maxSpaceAmplification = maxSpaceAmplification;
        this.rewriteInterval = rewriteInterval;
        this.restoreThreads = restoreThreads;
        this.restoreDeferred = restoreDeferred;
        this.s3Settings = s3Settings;
        this.s3CheckpointStorage = s3CheckpointStorage;
    }

    /** The defaults, without S3 settings: restore reads every handle through Flink's streams. */
    public static BackendSettings defaults() {
        return new BackendSettings(
                BackendOptions.COMPACTION_MAX_DELTAS.defaultValue(),
                BackendOptions.COMPACTION_MAX_SPACE_AMPLIFICATION.defaultValue(),
                BackendOptions.COMPACTION_REWRITE_INTERVAL.defaultValue(),
                BackendOptions.RESTORE_THREADS.defaultValue(),
                BackendOptions.RESTORE_DEFERRED.defaultValue(),
                null,
                false);
    }

    /**
     * Reads and validates the {@code recovery.backend.*} keys and the S3 connection settings.
     *
     * @throws IllegalConfigurationException naming the first invalid key and its value
     */
    public static BackendSettings fromConfig(ReadableConfig config) {
        int maxDeltas = config.get(BackendOptions.COMPACTION_MAX_DELTAS);
        if (maxDeltas < 1) {
            throw invalid(BackendOptions.COMPACTION_MAX_DELTAS.key(), maxDeltas, "must be ≥ 1");
        }
        double amplification = config.get(BackendOptions.COMPACTION_MAX_SPACE_AMPLIFICATION);
        if (!(amplification >= MIN_AMPLIFICATION && amplification <= MAX_AMPLIFICATION)) {
            throw invalid(
                    BackendOptions.COMPACTION_MAX_SPACE_AMPLIFICATION.key(),
                    amplification,
                    "must be between " + MIN_AMPLIFICATION + " and " + MAX_AMPLIFICATION);
        }
        int rewriteInterval = config.get(BackendOptions.COMPACTION_REWRITE_INTERVAL);
        if (rewriteInterval < 1 || rewriteInterval > MAX_REWRITE_INTERVAL) {
            throw invalid(
                    BackendOptions.COMPACTION_REWRITE_INTERVAL.key(),
                    rewriteInterval,
                    "must be between 1 and " + MAX_REWRITE_INTERVAL);
        }
        int threads = config.get(BackendOptions.RESTORE_THREADS);
        if (threads < 1 || threads > MAX_RESTORE_THREADS) {
            throw invalid(
                    BackendOptions.RESTORE_THREADS.key(),
                    threads,
                    "must be between 1 and " + MAX_RESTORE_THREADS);
        }
        String checkpointDir = config.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY);
        boolean s3Storage =
                checkpointDir != null
                        && checkpointDir
                                .toLowerCase(Locale.ROOT)
                                .startsWith(ObjectLocation.SCHEME + "://");
        return new BackendSettings(
                maxDeltas,
                amplification,
                rewriteInterval,
                threads,
                config.get(BackendOptions.RESTORE_DEFERRED),
                S3ClientSettings.fromConfig(config),
                s3Storage);
    }

    private static IllegalConfigurationException invalid(String key, Object value, String rule) {
        return new IllegalConfigurationException(
                "Invalid " + key + ": " + value + " (" + rule + ")");
    }

    public int maxDeltas() {
        return maxDeltas;
    }

    public double maxSpaceAmplification() {
        return maxSpaceAmplification;
    }

    public int rewriteInterval() {
        return rewriteInterval;
    }

    public int restoreThreads() {
        return restoreThreads;
    }

    /** Whether a restore may defer deserializing keyed state: {@link DeferredKeyedState}. */
    public boolean restoreDeferred() {
        return restoreDeferred;
    }

    /** S3 settings for ranged reads of {@code s3://} handles, or null to use Flink's streams. */
    @Nullable
    public S3ClientSettings s3Settings() {
        return s3Settings;
    }

    /** Whether checkpoints go to {@code s3://}, so that our S3 request counters mean something. */
    public boolean s3CheckpointStorage() {
        return s3CheckpointStorage;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof BackendSettings)) {
            return false;
        }
        BackendSettings that = (BackendSettings) o;
        return maxDeltas == that.maxDeltas
                && Double.compare(maxSpaceAmplification, that.maxSpaceAmplification) == 0
                && rewriteInterval == that.rewriteInterval
                && restoreThreads == that.restoreThreads
                && restoreDeferred == that.restoreDeferred
                && s3CheckpointStorage == that.s3CheckpointStorage
                && Objects.equals(s3Settings, that.s3Settings);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                maxDeltas,
                maxSpaceAmplification,
                rewriteInterval,
                restoreThreads,
                restoreDeferred,
                s3Settings,
                s3CheckpointStorage);
    }

    @Override
    public String toString() {
        return "BackendSettings{maxDeltas="
                + maxDeltas
                + ", maxSpaceAmplification="
                + maxSpaceAmplification
                + ", rewriteInterval="
                + rewriteInterval
                + ", restoreThreads="
                + restoreThreads
                + ", restoreDeferred="
                + restoreDeferred
                + ", s3CheckpointStorage="
                + s3CheckpointStorage
                + "}";
    }
}
