package io.flinkrecovery.compat;

import org.apache.flink.core.execution.RestoreMode;
import org.apache.flink.runtime.checkpoint.CompletedCheckpoint;
import org.apache.flink.runtime.checkpoint.StandaloneCompletedCheckpointStore;
import org.apache.flink.runtime.state.SharedStateRegistry;

import java.util.concurrent.Executor;

/**
 * The JobManager's checkpoint store and its registration of a restored checkpoint, in CLAIM or
 * NO_CLAIM mode: Flink 1.20's {@code RestoreMode} (2.x renamed it {@code RecoveryClaimMode}).
 */
public final class ClaimModes {

    private ClaimModes() {}

    /** A store that keeps {@code retained} checkpoints and owns what it restored from. */
    public static StandaloneCompletedCheckpointStore claimingStore(
            int retained, Executor executor) {
        return new StandaloneCompletedCheckpointStore(
                retained, SharedStateRegistry.DEFAULT_FACTORY, executor, RestoreMode.CLAIM);
    }

    /** Registers the shared state of a checkpoint a new job starts from. */
    public static void registerRestored(
            CompletedCheckpoint checkpoint, SharedStateRegistry registry, boolean claim) {
        checkpoint.registerSharedStatesAfterRestored(
                registry, claim ? RestoreMode.CLAIM : RestoreMode.NO_CLAIM);
    }
}
