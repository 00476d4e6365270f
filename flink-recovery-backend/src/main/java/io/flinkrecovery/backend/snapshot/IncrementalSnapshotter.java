package io.flinkrecovery.backend.snapshot;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.fs.CloseableRegistry;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.state.CheckpointStreamFactory;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.SnapshotExecutionType;
import org.apache.flink.runtime.state.SnapshotResult;
import org.apache.flink.runtime.state.SnapshotStrategyRunner;

import io.flinkrecovery.backend.metrics.BackendMetrics;

import javax.annotation.Nullable;

import java.util.UUID;
import java.util.concurrent.RunnableFuture;

/**
 * Takes the snapshots of one keyed backend: the entry point for the backend, which owns the states,
 * the sharing history and the compaction budget that every snapshot shares.
 */
public final class IncrementalSnapshotter<K> {

    private final TrackedStates<K> states;
    private final TypeSerializer<K> keySerializer;
    private final SnapshotHistory history;
    private final CompactionPolicy compaction;
    private final BlockCompression compression;
    private final BackendMetrics metrics;
    @Nullable private final LocalBackup localBackup;
    private final UUID backendId = UUID.randomUUID();

    /** {@code localBackup} is null unless checkpoints keep a task-local copy. */
    public IncrementalSnapshotter(
            TrackedStates<K> states,
            TypeSerializer<K> keySerializer,
            SnapshotHistory history,
            CompactionPolicy compaction,
            BlockCompression compression,
            BackendMetrics metrics,
            @Nullable LocalBackup localBackup) {
        this.states = states;
        this.keySerializer = keySerializer;
        this.history = history;
        this.compaction = compaction;
        this.compression = compression;
        this.metrics = metrics;
        this.localBackup = localBackup;
    }

    /**
     * Runs the synchronous phase now and returns the asynchronous phase as a future, registered in
     * {@code cancelStreamRegistry} so that closing the backend cancels it.
     */
    public RunnableFuture<SnapshotResult<KeyedStateHandle>> snapshot(
            long checkpointId,
            long timestamp,
            CheckpointStreamFactory streamFactory,
            CheckpointOptions checkpointOptions,
            CloseableRegistry cancelStreamRegistry)
            throws Exception {
        IncrementalSnapshotStrategy<K> strategy =
                new IncrementalSnapshotStrategy<>(
                        states,
                        keySerializer,
                        history,
                        compaction,
                        compression,
                        backendId,
                        metrics,
                        checkpointOptions,
                        localBackup);
        return new SnapshotStrategyRunner<>(
                        "Incremental heap backend snapshot",
                        strategy,
                        cancelStreamRegistry,
                        SnapshotExecutionType.ASYNCHRONOUS)
                .snapshot(checkpointId, timestamp, streamFactory, checkpointOptions);
    }

    /** How the blocks of new snapshots are stored. */
    public BlockCompression compression() {
        return compression;
    }

    public SnapshotHistory history() {
        return history;
    }

    public BackendMetrics metrics() {
        return metrics;
    }

    /** Checkpoint {@code checkpointId} completed: it is a base now, older ones are not. */
    public void checkpointComplete(long checkpointId) {
        history.complete(checkpointId);
        if (localBackup != null) {
            localBackup.confirmed(checkpointId);
        }
    }

    /** Checkpoint {@code checkpointId} was aborted: it never becomes a base. */
    public void checkpointAborted(long checkpointId) {
        history.abort(checkpointId);
        if (localBackup != null) {
            localBackup.aborted(checkpointId);
        }
    }

    /** Deletes the segment files a restore downloaded for local copies, if any. */
    public void dispose() {
        if (localBackup != null) {
            localBackup.dispose();
        }
    }
}
