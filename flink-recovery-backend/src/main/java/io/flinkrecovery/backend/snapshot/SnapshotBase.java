package io.flinkrecovery.backend.snapshot;

import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.StreamStateHandle;

import javax.annotation.Nullable;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * What one snapshot may build on, per key group: a chain of blocks whose segments the JobManager
 * keeps at least until this snapshot is registered (see {@link SnapshotHistory#base}), and the
 * changes since that chain was written. A key group without a chain is written as a new base.
 * Immutable; the snapshot's asynchronous phase reads it.
 */
final class SnapshotBase {

    private final List<BlockRef>[] chains;
    private final long[] chainDrain;
    private final NavigableMap<Long, ChangeBatch> changes;
    private final Map<String, StreamStateHandle> segments;

    SnapshotBase(
            List<BlockRef>[] chains,
            long[] chainDrain,
            NavigableMap<Long, ChangeBatch> changes,
            Map<String, StreamStateHandle> segments) {
        this.chains = chains;
        this.chainDrain = chainDrain;
        this.changes = changes;
        this.segments = segments;
    }

    /** A base with no chain at all: every key group is written new. */
    @SuppressWarnings("unchecked")
    static SnapshotBase none(KeyGroupRange range) {
        int size = range.getNumberOfKeyGroups();
        return new SnapshotBase(
                (List<BlockRef>[]) new List<?>[size],
                new long[size],
                Collections.emptyNavigableMap(),
                Collections.emptyMap());
    }

    /** The chain to keep or extend for a key group (by index in the range), or null. */
    @Nullable
    List<BlockRef> chain(int index) {
        return chains[index];
    }

    /** Every non-empty dirty set of a state and key group since that key group's chain. */
    List<HashSet<Object>> dirtySets(String stateId, int index) {
        if (chains[index] == null) {
            return Collections.emptyList();
        }
        List<HashSet<Object>> result = null;
        for (ChangeBatch batch : changes.tailMap(chainDrain[index], false).values()) {
            HashSet<Object>[] sets = batch.sets(stateId);
            if (sets != null && sets[index] != null && !sets[index].isEmpty()) {
                if (result == null) {
                    result = new ArrayList<>();
                }
                result.add(sets[index]);
            }
        }
        return result == null ? Collections.emptyList() : result;
    }

    /**
     * How many entries of a key group changed since its chain, over all states, counting a key
     * group that changed whole as {@code entries}, and a changed user key of a map as its share of
     * that map: {@code mapEntryShare} of the state's id.
     */
    double dirtyEntries(int index, int entries, ToDoubleFunction<String> mapEntryShare) {
        if (chains[index] == null) {
            return 0;
        }
        double count = 0;
        for (ChangeBatch batch : changes.tailMap(chainDrain[index], false).values()) {
            for (Map.Entry<String, HashSet<Object>[]> state : batch.all().entrySet()) {
                HashSet<Object> set = state.getValue()[index];
                if (set == null) {
                    continue;
                }
                if (DirtyKeys.isAll(set)) {
                    count += entries;
                    continue;
                }
                int mapEntries = DirtyKeys.mapEntries(set);
                count += set.size() - mapEntries;
                if (mapEntries > 0) {
                    count += mapEntries * mapEntryShare.applyAsDouble(state.getKey());
                }
            }
        }
        return count;
    }

    /** The real handle of a segment a chain of this base uses. */
    StreamStateHandle segment(String name) {
        StreamStateHandle handle = segments.get(name);
        if (handle == null) {
            throw new IllegalStateException("Segment " + name + " is not in the snapshot's base");
        }
        return handle;
    }

    /** The segments that the chains kept or extended by {@code actions} reference. */
    Set<String> referencedSegments(SnapshotPlan.Action[] actions) {
        Set<String> referenced = new HashSet<>();
        for (int i = 0; i < actions.length; i++) {
            if (actions[i] == SnapshotPlan.Action.KEEP || actions[i] == SnapshotPlan.Action.DELTA) {
                for (BlockRef block : chains[i]) {
                    referenced.add(block.segment());
                }
            }
        }
        return referenced;
    }
}
