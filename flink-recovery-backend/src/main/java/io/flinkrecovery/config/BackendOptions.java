package io.flinkrecovery.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** How the incremental heap state backend compacts its snapshot chains and restores them. */
public final class BackendOptions {

    public static final ConfigOption<Integer> COMPACTION_MAX_DELTAS =
            ConfigOptions.key("recovery.backend.compaction.max-deltas")
                    .intType()
                    .defaultValue(100)
                    .withDescription(
                            "Most deltas a key group carries on top of its base before the base is"
                                    + " rewritten. Bounds the segments a subtask reads at restore;"
                                    + " with churn of 1% of the keys per checkpoint the space"
                                    + " amplification bound is reached first. Rewrites are spread"
                                    + " over checkpoints; see also"
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

    public static final ConfigOption<Integer> COMPACTION_REWRITE_INTERVAL =
            ConfigOptions.key("recovery.backend.compaction.rewrite-interval")
                    .intType()
                    .defaultValue(4)
                    .withDescription(
                            "Checkpoints between two rounds of early base rewrites. Each round"
                                    + " spends the rewrite budget the checkpoints since have earned"
                                    + " on the key groups closest to a bound, so the checkpoints in"
                                    + " between upload only their changes. 1 rewrites a little in"
                                    + " every checkpoint. A key group that reaches a bound is"
                                    + " rewritten at once regardless. Between 1 and 100.");

    public static final ConfigOption<Integer> RESTORE_THREADS =
            ConfigOptions.key("recovery.backend.restore.threads")
                    .intType()
                    .defaultValue(4)
                    .withDescription(
                            "Ranged reads that one subtask runs in parallel when it restores its"
                                    + " key groups. Between 1 and 256.");

    public static final ConfigOption<Boolean> RESTORE_DEFERRED =
            ConfigOptions.key("recovery.backend.restore.deferred")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Whether a restore lets the job run once each key group's blocks are"
                                    + " fetched, their CRC32C checked and their timers applied,"
                                    + " and deserializes the keyed state afterwards: in a"
                                    + " background thread, or on a key group's first access,"
                                    + " whichever comes first. false deserializes everything"
                                    + " before the job runs, as HashMapStateBackend does.");

    private BackendOptions() {}
}
