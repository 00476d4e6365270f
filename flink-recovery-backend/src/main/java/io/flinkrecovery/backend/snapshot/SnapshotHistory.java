package io.flinkrecovery.backend.snapshot;

import org.apache.flink.runtime.state.KeyGroupRange;

import javax.annotation.Nullable;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * The sharing discipline of one keyed backend: which earlier segments a snapshot may reference
 * without the JobManager having deleted them by the time it registers the snapshot.
 *
 * <p>The JobManager deletes a shared segment once the checkpoints it retains no longer use it,
 * which happens when a newer checkpoint completes. It completes checkpoints in id order, and tells
 * the task late or never. So when a snapshot starts, any checkpoint after the last one confirmed
 * here may already have completed and subsumed it. A segment is <em>safe</em> to reference if the
 * last confirmed checkpoint uses it and every checkpoint started since plans to use it: whichever
 * of them is the newest completed when this snapshot registers, it holds the segment. Like
 * RocksDB's pruning of re-uploaded files (FLINK-29913), and unlike a reference to the last
 * confirmed checkpoint alone, this holds whatever the order, delay or loss of notifications.
 *
 * <p>A key group's chain is taken from the newest confirmed checkpoint whose chain for it uses only
 * safe segments, and extended by the changes since that checkpoint; the two newest confirmed
 * checkpoints are kept, which covers a checkpoint that overlapped the previous one. Otherwise the
 * key group is written as a new base.
 *
 * <p>Thread-safe: the task thread plans snapshots and receives notifications while asynchronous
 * snapshot threads record their results.
 */
public final class SnapshotHistory {

    /** Confirmed layouts kept as candidates for a base, the newest first. */
    private static final int CONFIRMED_KEPT = 2;

    private final Deque<Drained> confirmed = new ArrayDeque<>();

    /**
     * Changes drained at each snapshot after the oldest kept confirmed layout, by drain number: a
     * local sequence, since checkpoint ids may repeat (tests, a job restarted from a savepoint).
     */
    private final NavigableMap<Long, ChangeBatch> changes = new TreeMap<>();

    private long drains;

    /** Segments each checkpoint started after the newest confirmed one references, by id. */
    private final NavigableMap<Long, Set<String>> planned = new TreeMap<>();

    /** What checkpoints wrote that may still be confirmed, by id. */
    private final NavigableMap<Long, Drained> pending = new TreeMap<>();

    /** The newest confirmed (or restored) layout, or null if there is none yet. */
    @Nullable
    public synchronized SnapshotLayout confirmed() {
        Drained newest = confirmed.peekFirst();
        return newest == null ? null : newest.layout;
    }

    /** Treats a restored snapshot as confirmed: its segments are registered at the JobManager. */
    public synchronized void restored(SnapshotLayout layout) {
        confirmed.clear();
        confirmed.addFirst(new Drained(layout, drains));
        changes.clear();
        planned.clear();
        pending.clear();
    }

    /**
     * Adds the changes drained when a snapshot started; returns their drain number, which {@link
     * #recordPending} takes back with the snapshot's layout.
     */
    synchronized long addChanges(ChangeBatch batch) {
        drains++;
        if (!batch.isEmpty()) {
            changes.put(drains, batch);
        }
        return drains;
    }

    /**
     * What a snapshot of {@code range} may build on. Layouts of another key-group range, or written
     * with serializers other than {@code fingerprints}, are not used.
     */
    synchronized SnapshotBase base(KeyGroupRange range, Map<String, byte[]> fingerprints) {
        if (confirmed.isEmpty()) {
            return SnapshotBase.none(range);
        }
        SnapshotLayout newest = confirmed.peekFirst().layout;
        Set<String> safe = new HashSet<>(newest.segments().keySet());
        for (Set<String> references : planned.tailMap(newest.checkpointId(), false).values()) {
            safe.retainAll(references);
        }

        int size = range.getNumberOfKeyGroups();
        @SuppressWarnings("unchecked")
        List<BlockRef>[] chains = (List<BlockRef>[]) new List<?>[size];
        long[] chainDrain = new long[size];
        for (Drained drained : confirmed) {
            SnapshotLayout layout = drained.layout;
            if (!layout.keyGroupRange().equals(range)
                    || serializersChanged(layout.fingerprints(), fingerprints)) {
                continue;
            }
            for (int i = 0; i < size; i++) {
                if (chains[i] != null) {
                    continue;
                }
                List<BlockRef> chain = layout.chain(range.getKeyGroupId(i));
                if (!chain.isEmpty() && usesOnly(chain, safe)) {
                    chains[i] = chain;
                    chainDrain[i] = drained.drain;
                }
            }
        }
        return new SnapshotBase(chains, chainDrain, new TreeMap<>(changes), newest.segments());
    }

    private static boolean usesOnly(List<BlockRef> chain, Set<String> segments) {
        for (BlockRef block : chain) {
            if (!segments.contains(block.segment())) {
                return false;
            }
        }
        return true;
    }

    private static boolean serializersChanged(
            Map<String, byte[]> previous, Map<String, byte[]> current) {
        for (Map.Entry<String, byte[]> entry : previous.entrySet()) {
            byte[] now = current.get(entry.getKey());
            if (now == null || !Arrays.equals(now, entry.getValue())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Records, in the synchronous phase of checkpoint {@code checkpointId}, the earlier segments it
     * references. Savepoints are not recorded: they never subsume a checkpoint.
     */
    synchronized void planned(long checkpointId, Set<String> referencedSegments) {
        planned.put(checkpointId, referencedSegments);
    }

    /**
     * Records what a checkpoint wrote, and the drain number of the changes it holds, so that its
     * confirmation can make it a base.
     */
    synchronized void recordPending(SnapshotLayout layout, long drain) {
        pending.put(layout.checkpointId(), new Drained(layout, drain));
    }

    /**
     * Makes the layout of {@code checkpointId} the newest base. Everything started before it is no
     * longer a risk: the JobManager completed it, so it retains it or something newer. Savepoints
     * and checkpoints this backend did not write are ignored.
     */
    public synchronized void complete(long checkpointId) {
        Drained layout = pending.get(checkpointId);
        if (layout == null) {
            return;
        }
        confirmed.addFirst(layout);
        while (confirmed.size() > CONFIRMED_KEPT) {
            confirmed.removeLast();
        }
        pending.headMap(checkpointId, true).clear();
        planned.headMap(checkpointId, true).clear();
        changes.headMap(confirmed.peekLast().drain, true).clear();
    }

    /** Forgets an aborted checkpoint: it never completes, and its changes go into later deltas. */
    public synchronized void abort(long checkpointId) {
        pending.remove(checkpointId);
        planned.remove(checkpointId);
    }

    /** A layout and the drain number of the last changes it holds. */
    private static final class Drained {
        final SnapshotLayout layout;
        final long drain;

        Drained(SnapshotLayout layout, long drain) {
            this.layout = layout;
            this.drain = drain;
        }
    }
}
