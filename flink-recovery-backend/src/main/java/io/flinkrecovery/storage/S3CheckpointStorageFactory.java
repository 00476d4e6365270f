package io.flinkrecovery.storage;

import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.runtime.state.CheckpointStorageFactory;

/**
 * Selected by {@code execution.checkpointing.storage:
 * io.flinkrecovery.storage.S3CheckpointStorageFactory}; validates the configuration eagerly.
 */
public final class S3CheckpointStorageFactory
        implements CheckpointStorageFactory<S3CheckpointStorage> {

    @Override
    public S3CheckpointStorage createFromConfig(ReadableConfig config, ClassLoader classLoader)
            throws IllegalConfigurationException {
        return S3CheckpointStorage.fromConfig(config);
    }
}
