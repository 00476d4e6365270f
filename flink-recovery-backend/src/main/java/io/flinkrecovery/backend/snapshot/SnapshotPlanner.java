package io.flinkrecovery.backend.snapshot;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.runtime.checkpoint.SnapshotType.SharingFilesStrategy;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.RegisteredKeyValueStateBackendMetaInfo;
import org.apache.flink.runtime.state.StateSnapshotTransformer;
import org.apache.flink.runtime.state.heap.StateMap;
import org.apache.flink.runtime.state.metainfo.StateMetaInfoSnapshot;

import javax.annotation.Nullable;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The synchronous phase of one snapshot: drains the changes, decides per key group whether to keep,
 * extend or rewrite its chain, and takes copy-on-write snapshots of only the key groups it writes.
 * It neither looks up nor serializes entries, and does no I/O.
 */
final class SnapshotPlanner<K> {

    private final TrackedStates<K> states;
    private final TypeSerializer<K> keySerializer;
    private final SnapshotHistory history;
    private final CompactionPolicy compaction;
    private final SharingFilesStrategy sharing;

    SnapshotPlanner(
            TrackedStates<K> states,
            TypeSerializer<K> keySerializer,
            SnapshotHistory history,
            CompactionPolicy compaction,
            SharingFilesStrategy sharing) {
        this.states = states;
        this.keySerializer = keySerializer;
        this.history = history;
        this.compaction = compaction;
        this.sharing = sharing;
    }

    /** The plan of snapshot {@code checkpointId}, or null if there is no state at all. */
    @Nullable
    SnapshotPlan<K> plan(long checkpointId) {
        if (states.isEmpty()) {
            return null;
        }
        KeyGroupRange range = states.keyGroupRange();
        int numberOfKeyGroups = range.getNumberOfKeyGroups();

        List<StateMetaInfoSnapshot> metaInfos = new ArrayList<>();
        Map<String, byte[]> fingerprints = new HashMap<>();
        List<SnapshotPlan.KvWork<K, ?, ?>> kvWork = new ArrayList<>();
        for (TrackedStates.KvState<K, ?, ?> state : states.kvStates()) {
            kvWork.add(prepareKv(state, metaInfos, fingerprints, numberOfKeyGroups));
        }
        List<SnapshotPlan.PqWork<?>> pqWork = new ArrayList<>();
        for (TrackedStates.PqState<?> state : states.pqStates()) {
            pqWork.add(preparePq(state, metaInfos, fingerprints, numberOfKeyGroups));
        }

        SnapshotBase base = SnapshotBase.none(range);
        long drain = 0;
        if (sharing != SharingFilesStrategy.NO_SHARING) {
            // A savepoint is no base for later deltas, so it leaves the changes where they are.
            drain = history.addChanges(ChangeBatch.drain(states));
        }
        if (sharing == SharingFilesStrategy.FORWARD_BACKWARD) {
            base = history.base(range, fingerprints);
        }

        int[] entries = new int[numberOfKeyGroups];
        for (TrackedStates.KvState<K, ?, ?> state : states.kvStates()) {
            for (int i = 0; i < numberOfKeyGroups; i++) {
                entries[i] += state.table().getMapForKeyGroup(range.getKeyGroupId(i)).size();
            }
        }
        for (TrackedStates.PqState<?> state : states.pqStates()) {
            for (int i = 0; i < numberOfKeyGroups; i++) {
                entries[i] += state.queue().getSubsetForKeyGroup(range.getKeyGroupId(i)).size();
            }
        }
        SnapshotPlan.Action[] actions = decide(base, entries);
        if (sharing != SharingFilesStrategy.NO_SHARING) {
            history.planned(checkpointId, base.referencedSegments(actions));
        }
        for (SnapshotPlan.KvWork<K, ?, ?> work : kvWork) {
            captureKv(work, actions, base);
        }
        for (SnapshotPlan.PqWork<?> work : pqWork) {
            capturePq(work, actions, base);
        }
        return new SnapshotPlan<>(
                checkpointId,
                range,
                keySerializer.duplicate(),
                metaInfos,
                fingerprints,
                base,
                drain,
                actions,
                kvWork,
                pqWork);
    }

    private <N, S> SnapshotPlan.KvWork<K, N, S> prepareKv(
            TrackedStates.KvState<K, N, S> state,
            List<StateMetaInfoSnapshot> metaInfos,
            Map<String, byte[]> fingerprints,
            int numberOfKeyGroups) {
        RegisteredKeyValueStateBackendMetaInfo<N, S> metaInfo = state.table().getMetaInfo();
        StateMetaInfoSnapshot snapshot = metaInfo.snapshot();
        metaInfos.add(snapshot);
        fingerprints.put(ChangeBatch.kvId(state.name()), state.fingerprint(snapshot));
        // Transformers are not thread-safe and their factory must be called from one thread.
        StateSnapshotTransformer<S> transformer =
                metaInfo.getStateSnapshotTransformFactory()
                        .createForDeserializedState()
                        .orElse(null);
        KeyGroupRange range = states.keyGroupRange();
        if (transformer != null) {
            // The transformer (TTL's cleanup in full snapshots) must see every entry.
            for (int i = 0; i < numberOfKeyGroups; i++) {
                int keyGroup = range.getKeyGroupId(i);
                if (!state.table().getMapForKeyGroup(keyGroup).isEmpty()) {
                    state.dirty().markAll(keyGroup);
                }
            }
        }
        return new SnapshotPlan.KvWork<>(
                state.name(),
                state.table().getKeySerializer().duplicate(),
                metaInfo.getNamespaceSerializer().duplicate(),
                metaInfo.getStateSerializer().duplicate(),
                transformer,
                numberOfKeyGroups);
    }

    private <T> SnapshotPlan.PqWork<T> preparePq(
            TrackedStates.PqState<T> state,
            List<StateMetaInfoSnapshot> metaInfos,
            Map<String, byte[]> fingerprints,
            int numberOfKeyGroups) {
        StateMetaInfoSnapshot snapshot = state.metaInfoSnapshot();
        metaInfos.add(snapshot);
        fingerprints.put(ChangeBatch.pqId(state.name()), state.fingerprint(snapshot));
        return new SnapshotPlan.PqWork<>(
                state.name(), state.serializer().duplicate(), numberOfKeyGroups);
    }

    private SnapshotPlan.Action[] decide(SnapshotBase base, int[] entries) {
        KeyGroupRange range = states.keyGroupRange();
        SnapshotPlan.Action[] actions = new SnapshotPlan.Action[entries.length];
        List<CompactionPolicy.Candidate> candidates = new ArrayList<>();
        for (int i = 0; i < entries.length; i++) {
            if (entries[i] == 0) {
                actions[i] = SnapshotPlan.Action.EMPTY;
                continue;
            }
            List<BlockRef> chain = base.chain(i);
            int keyGroup = range.getKeyGroupId(i);
            double dirty =
                    base.dirtyEntries(i, entries[i], stateId -> 1 / meanMapSize(stateId, keyGroup));
            if (chain == null) {
                actions[i] = SnapshotPlan.Action.BASE;
            } else if (dirty == 0) {
                actions[i] = SnapshotPlan.Action.KEEP;
            } else {
                actions[i] = SnapshotPlan.Action.DELTA;
                candidates.add(candidate(i, chain, entries[i], dirty));
            }
        }
        BitSet rewrite = compaction.select(candidates);
        for (int i = rewrite.nextSetBit(0); i >= 0; i = rewrite.nextSetBit(i + 1)) {
            actions[i] = SnapshotPlan.Action.BASE;
        }
        return actions;
    }

    /** Maps sampled to estimate what one changed user entry is of its map. */
    private static final int MAP_SIZE_SAMPLE = 32;

    private double meanMapSize(String stateId, int keyGroup) {
        for (TrackedStates.KvState<K, ?, ?> state : states.kvStates()) {
            if (ChangeBatch.kvId(state.name()).equals(stateId)) {
                return TrackedStates.meanMapSize(state.table(), keyGroup, MAP_SIZE_SAMPLE);
            }
        }
        return 1;
    }

    private static CompactionPolicy.Candidate candidate(
            int index, List<BlockRef> chain, int entries, double dirty) {
        long kept = 0;
        long keptEntries = 0;
        for (BlockRef block : chain) {
            kept += block.length();
            keptEntries += block.entries();
        }
        BlockRef first = chain.get(0);
        double perEntry =
                first.entries() > 0
                        ? first.length() / (double) first.entries()
                        : kept / (double) Math.max(1, keptEntries);
        return new CompactionPolicy.Candidate(
                index, chain.size() - 1, kept, entries * perEntry, dirty * perEntry);
    }

    private <N, S> void captureKv(
            SnapshotPlan.KvWork<K, N, S> work, SnapshotPlan.Action[] actions, SnapshotBase base) {
        KeyGroupRange range = states.keyGroupRange();
        TrackedStates.KvState<K, ?, ?> tracked = null;
        for (TrackedStates.KvState<K, ?, ?> state : states.kvStates()) {
            if (state.name().equals(work.name)) {
                tracked = state;
            }
        }
        @SuppressWarnings("unchecked")
        TrackedStates.KvState<K, N, S> state = (TrackedStates.KvState<K, N, S>) tracked;
        String id = ChangeBatch.kvId(work.name);
        for (int i = 0; i < actions.length; i++) {
            StateMap<K, N, S> map = state.table().getMapForKeyGroup(range.getKeyGroupId(i));
            if (actions[i] == SnapshotPlan.Action.BASE) {
                if (!map.isEmpty()) {
                    work.snapshots[i] = map.stateSnapshot();
                }
            } else if (actions[i] == SnapshotPlan.Action.DELTA) {
                List<HashSet<Object>> dirty = base.dirtySets(id, i);
                if (dirty.stream().anyMatch(DirtyKeys::isAll)) {
                    work.replace[i] = true;
                    work.snapshots[i] = map.isEmpty() ? null : map.stateSnapshot();
                } else if (!dirty.isEmpty()) {
                    // From now on the heap copies entries and values before changing them, so
                    // the asynchronous phase reads the changed entries from this snapshot.
                    work.dirty[i] = dirty;
                    work.snapshots[i] = map.stateSnapshot();
                }
            }
        }
    }

    private <T> void capturePq(
            SnapshotPlan.PqWork<T> work, SnapshotPlan.Action[] actions, SnapshotBase base) {
        KeyGroupRange range = states.keyGroupRange();
        TrackedStates.PqState<?> state = null;
        for (TrackedStates.PqState<?> candidate : states.pqStates()) {
            if (candidate.name().equals(work.name)) {
                state = candidate;
            }
        }
        String id = ChangeBatch.pqId(work.name);
        for (int i = 0; i < actions.length; i++) {
            Set<?> subset = state.queue().getSubsetForKeyGroup(range.getKeyGroupId(i));
            if (actions[i] == SnapshotPlan.Action.BASE) {
                if (!subset.isEmpty()) {
                    // Timers are immutable apart from their heap index: a shallow copy suffices.
                    work.elements[i] = subset.toArray();
                }
            } else if (actions[i] == SnapshotPlan.Action.DELTA) {
                List<HashSet<Object>> dirty = base.dirtySets(id, i);
                if (dirty.stream().anyMatch(DirtyKeys::isAll)) {
                    work.elements[i] = subset.toArray();
                } else if (!dirty.isEmpty()) {
                    Map<Object, Boolean> present = new LinkedHashMap<>();
                    for (HashSet<Object> set : dirty) {
                        for (Object element : set) {
                            present.put(element, subset.contains(element));
                        }
                    }
                    work.changes[i] = present;
                }
            }
        }
    }
}
