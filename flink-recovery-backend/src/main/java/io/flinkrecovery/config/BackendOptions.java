package io.flinkrecovery.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** How the incremental heap state backend compacts its snapshot chains and restores them. */
public final class BackendOptions {

    public static final ConfigOption<Integer> COMPACTION_MAX_DELTAS =
            ConfigOptions.key("recovery.backend.compaction.max-deltas")
                    .intType()
                    .defaultValue(8)
                    .withDescription(
                            "Most deltas a key group carries on top of its base before the base is"
                                    + " rewritten. Bounds the reads per key group at restore."
                                    + " Rewrites are spread over checkpoints; see also"
                                    + " recovery.backend.compaction.max-space-amplification."
                                    + " At least 1.");

    public static final ConfigOption<Double> COMPACTION_MAX_SPACE_AMPLIFICATION =
            ConfigOptions.key("recovery.backend.compaction.max-space-amplification")
                    .doubleType()
                    .defaultValue(2.0)
                    .withDescription(
                            "Most bytes a key group's chain (base plus deltas) may keep per byte of"
                                    + " live state before its base is rewritten. Between 1.1 and"
                                    + " 100; see also recovery.backend.compaction.max-deltas.");

    public static final ConfigOption<Integer> RESTORE_THREADS =
            ConfigOptions.key("recovery.backend.restore.threads")
                    .intType()
                    .defaultValue(4)
                    .withDescription(
                            "Ranged reads that one subtask runs in parallel when it restores its"
                                    + " key groups. Between 1 and 256.");

    private BackendOptions() {}
}
