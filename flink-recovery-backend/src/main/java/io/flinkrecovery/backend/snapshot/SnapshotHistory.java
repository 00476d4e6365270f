package io.flinkrecovery.backend.snapshot;

import javax.annotation.Nullable;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The sharing discipline of one keyed backend. A snapshot may reference only segments of the last
 * checkpoint that {@code notifyCheckpointComplete} confirmed (or that was restored), so its deltas
 * must hold every change since that checkpoint: the changes of all checkpoints started since are
 * kept until a later one is confirmed. Aborted checkpoints keep their changes.
 *
 * <p>Thread-safe: the task thread drains changes and receives notifications while asynchronous
 * snapshot threads record their results.
 */
public final class SnapshotHistory {

    @Nullable private SnapshotLayout confirmed;
    private final NavigableMap<Long, ChangeBatch> changesSinceConfirmed = new TreeMap<>();
    private final NavigableMap<Long, SnapshotLayout> pending = new TreeMap<>();

    /** The layout later snapshots may build on, or null if there is none yet. */
    @Nullable
    public synchronized SnapshotLayout confirmed() {
        return confirmed;
    }

    /** Treats a restored snapshot as confirmed: its segments are registered at the JobManager. */
    public synchronized void restored(SnapshotLayout layout) {
        confirmed = layout;
    }

    /** Adds the changes drained when checkpoint {@code checkpointId} started. */
    synchronized void addChanges(long checkpointId, ChangeBatch changes) {
        if (changes.isEmpty()) {
            return;
        }
        changesSinceConfirmed.merge(checkpointId, changes, ChangeBatch::union);
    }

    /** Every change since the confirmed layout was taken. */
    synchronized List<ChangeBatch> changesSinceConfirmed() {
        return new ArrayList<>(changesSinceConfirmed.values());
    }

    /** Records what a checkpoint wrote, so that its confirmation can make it the new base. */
    synchronized void recordPending(SnapshotLayout layout) {
        pending.put(layout.checkpointId(), layout);
    }

    /**
     * Makes the layout of {@code checkpointId} the base of later snapshots and forgets the changes
     * it holds. Savepoints and checkpoints this backend did not write are ignored.
     */
    public synchronized void complete(long checkpointId) {
        SnapshotLayout layout = pending.get(checkpointId);
        if (layout == null) {
            return;
        }
        // Everything at or before this id is in its layout, and a later confirmed checkpoint
        // would have removed it from pending.
        confirmed = layout;
        pending.headMap(checkpointId, true).clear();
        changesSinceConfirmed.headMap(checkpointId, true).clear();
    }

    /** Forgets what an aborted checkpoint wrote; its changes go into the next delta. */
    public synchronized void abort(long checkpointId) {
        pending.remove(checkpointId);
    }

    public synchronized int pendingChangeBatches() {
        return changesSinceConfirmed.size();
    }
}
