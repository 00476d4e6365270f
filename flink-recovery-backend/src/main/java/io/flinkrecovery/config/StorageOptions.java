package io.flinkrecovery.config;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

/** How {@code S3CheckpointStorage} writes checkpoint data. */
public final class StorageOptions {

    public static final ConfigOption<MemorySize> INLINE_THRESHOLD =
            ConfigOptions.key("recovery.storage.inline-threshold")
                    .memoryType()
                    .defaultValue(MemorySize.parse("20kb"))
                    .withFallbackKeys(CheckpointingOptions.FS_SMALL_FILE_THRESHOLD.key())
                    .withDescription(
                            "State handles smaller than this are inlined into _metadata instead of"
                                    + " becoming objects. At most 1mb, because inlined state travels"
                                    + " in RPC messages. Falls back to"
                                    + " execution.checkpointing.data-inline-threshold.");

    public static final ConfigOption<MemorySize> WRITE_BUFFER_SIZE =
            ConfigOptions.key("recovery.storage.write-buffer-size")
                    .memoryType()
                    .defaultValue(MemorySize.parse("4kb"))
                    .withDescription(
                            "Buffer of a checkpoint state stream before it decides to become an"
                                    + " object; raised to recovery.storage.inline-threshold if"
                                    + " smaller.");

    private StorageOptions() {}
}
