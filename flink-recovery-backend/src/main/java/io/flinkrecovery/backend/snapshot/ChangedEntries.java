package io.flinkrecovery.backend.snapshot;

import org.apache.flink.runtime.state.StateEntry;
import org.apache.flink.runtime.state.heap.SnapshotLookup;
import org.apache.flink.runtime.state.heap.StateMapSnapshot;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The changed entries of one keyed state in one key group, as its copy-on-write snapshot holds
 * them: entries changed whole, with their value (null where the entry no longer exists), and maps
 * of which only some user keys changed, with the map (null where it no longer exists). An entry
 * changed whole is never also patched.
 */
final class ChangedEntries<S> {

    final Map<Object, S> whole = new HashMap<>();
    final Map<Object, Set<Object>> patchedKeys = new HashMap<>();
    final Map<Object, Map<?, ?>> patchedMaps = new HashMap<>();

    /**
     * Reads the entries named by the dirty sets from {@code snapshot}: by point lookups into its
     * buckets ({@link SnapshotLookup}), or, for a snapshot taken during a rehash, in one pass over
     * it that ends once every changed entry is found.
     */
    static <K, N, S> ChangedEntries<S> read(
            StateMapSnapshot<K, N, S, ?> snapshot,
            List<HashSet<Object>> dirty,
            SnapshotPlan.KvWork<K, N, S> work) {
        ChangedEntries<S> changed = new ChangedEntries<>();
        Set<Object> wholeIds = new HashSet<>();
        for (HashSet<Object> set : dirty) {
            for (Object id : set) {
                if (id instanceof DirtyKeys.MapEntryId) {
                    DirtyKeys.MapEntryId entry = (DirtyKeys.MapEntryId) id;
                    changed.patchedKeys
                            .computeIfAbsent(entry.entry(), e -> new HashSet<>())
                            .add(entry.userKey());
                } else {
                    wholeIds.add(id);
                }
            }
        }
        changed.patchedKeys.keySet().removeAll(wholeIds);

        SnapshotLookup<K, N, S> lookup = SnapshotLookup.of(snapshot);
        if (lookup != null) {
            for (Object id : wholeIds) {
                changed.whole.put(id, lookup.get(keyOf(id), namespaceOf(id)));
            }
            for (Object id : changed.patchedKeys.keySet()) {
                changed.patchedMaps.put(id, (Map<?, ?>) lookup.get(keyOf(id), namespaceOf(id)));
            }
            return changed;
        }
        int wanted = wholeIds.size() + changed.patchedKeys.size();
        int found = 0;
        Iterator<StateEntry<K, N, S>> entries =
                snapshot.getIterator(
                        work.keySerializer, work.namespaceSerializer, work.stateSerializer, null);
        while (found < wanted && entries.hasNext()) {
            StateEntry<K, N, S> entry = entries.next();
            Object id = DirtyKeys.entryId(entry.getKey(), entry.getNamespace());
            if (wholeIds.contains(id)) {
                changed.whole.put(id, entry.getState());
                found++;
            } else if (changed.patchedKeys.containsKey(id)) {
                changed.patchedMaps.put(id, (Map<?, ?>) entry.getState());
                found++;
            }
        }
        for (Object id : wholeIds) {
            changed.whole.putIfAbsent(id, null);
        }
        for (Object id : changed.patchedKeys.keySet()) {
            changed.patchedMaps.putIfAbsent(id, null);
        }
        return changed;
    }

    @SuppressWarnings("unchecked")
    private static <K> K keyOf(Object id) {
        return (K) DirtyKeys.keyOf(id);
    }

    @SuppressWarnings("unchecked")
    private static <N> N namespaceOf(Object id) {
        return (N) DirtyKeys.namespaceOf(id);
    }

    /** Records in the delta: one per entry changed whole or patched. */
    int records() {
        return whole.size() + patchedKeys.size();
    }
}
