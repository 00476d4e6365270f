package io.flinkrecovery.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** What {@code S3CheckpointStorage} does when Flink asks it to resolve a checkpoint to restore. */
public final class RestoreOptions {

    /** What to do when the checkpoint to restore is not valid. */
    public enum Fallback {
        /** Fail with one error that lists what is missing or corrupt. */
        NONE,
        /**
         * Restore the newest valid checkpoint of the same job directory instead, with a warning.
         */
        LATEST_VALID
    }

    public static final ConfigOption<Boolean> VALIDATE =
            ConfigOptions.key("recovery.restore.validate")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Before restoring from execution.state-recovery.path (or -s), check that"
                                    + " every object the checkpoint references exists with the"
                                    + " right size and that key groups are covered, so a broken"
                                    + " checkpoint fails at once on the JobManager instead of in a"
                                    + " restart loop on the TaskManagers. One HEAD request per"
                                    + " object.");

    public static final ConfigOption<Fallback> FALLBACK =
            ConfigOptions.key("recovery.restore.fallback")
                    .enumType(Fallback.class)
                    .defaultValue(Fallback.NONE)
                    .withDescription(
                            "NONE fails the restore of an invalid checkpoint. LATEST_VALID restores"
                                    + " the newest valid checkpoint in the same job directory"
                                    + " instead and logs a warning: sinks that are not"
                                    + " transactional may then see output again. Needs"
                                    + " recovery.restore.validate.");

    private RestoreOptions() {}
}
