package io.flinkrecovery.examples;

import org.apache.flink.configuration.Configuration;

import java.time.Duration;
import java.util.Map;

/**
 * The Flink configuration that turns on S3 checkpoint storage: the keys of the README's "Install on
 * a Flink cluster" section. The demo and the integration tests both start from it.
 */
public final class S3StorageConfig {

    public static final String STORAGE_FACTORY =
            "io.flinkrecovery.storage.S3CheckpointStorageFactory";

    private S3StorageConfig() {}

    /**
     * The S3 connection ({@code s3Keys}), our storage with checkpoints every {@code interval} to
     * {@code checkpointDir} and savepoints to {@code savepointDir}, and checkpoints retained on
     * cancellation so that a later run can restore them.
     */
    public static Configuration of(
            Map<String, String> s3Keys,
            String checkpointDir,
            String savepointDir,
            Duration interval) {
        Configuration config = Configuration.fromMap(s3Keys);
        config.setString("execution.checkpointing.storage", STORAGE_FACTORY);
        config.setString("execution.checkpointing.dir", checkpointDir);
        config.setString("execution.checkpointing.savepoint-dir", savepointDir);
        config.setString("execution.checkpointing.interval", interval.toMillis() + "ms");
        config.setString(
                "execution.checkpointing.externalized-checkpoint-retention",
                "RETAIN_ON_CANCELLATION");
        return config;
    }
}
