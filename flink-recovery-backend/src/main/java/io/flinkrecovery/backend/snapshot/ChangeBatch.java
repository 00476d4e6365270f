package io.flinkrecovery.backend.snapshot;

import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;

/**
 * The changes drained from every state when one checkpoint started: state id ({@code kv:<name>} or
 * {@code pq:<name>}) to its dirty sets per key group. Never written after it is built, so snapshots
 * may read it from any thread.
 */
final class ChangeBatch {

    private final Map<String, HashSet<Object>[]> byState;

    private ChangeBatch(Map<String, HashSet<Object>[]> byState) {
        this.byState = byState;
    }

    static <K> ChangeBatch drain(TrackedStates<K> states) {
        Map<String, HashSet<Object>[]> byState = new HashMap<>();
        for (TrackedStates.KvState<K, ?, ?> state : states.kvStates()) {
            addIfAny(byState, kvId(state.name()), state.dirty().drain());
        }
        for (TrackedStates.PqState<?> state : states.pqStates()) {
            addIfAny(byState, pqId(state.name()), state.dirty().drain());
        }
        return new ChangeBatch(byState);
    }

    private static void addIfAny(
            Map<String, HashSet<Object>[]> byState, String id, HashSet<Object>[] sets) {
        for (HashSet<Object> set : sets) {
            if (set != null && !set.isEmpty()) {
                byState.put(id, sets);
                return;
            }
        }
    }

    boolean isEmpty() {
        return byState.isEmpty();
    }

    /** This batch's sets of a state, or null if that state did not change. */
    HashSet<Object>[] sets(String stateId) {
        return byState.get(stateId);
    }

    Map<String, HashSet<Object>[]> all() {
        return Collections.unmodifiableMap(byState);
    }

    static String kvId(String name) {
        return TrackedStates.kvId(name);
    }

    static String pqId(String name) {
        return TrackedStates.pqId(name);
    }
}
