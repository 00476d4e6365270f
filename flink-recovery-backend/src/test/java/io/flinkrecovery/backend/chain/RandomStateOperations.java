package io.flinkrecovery.backend.chain;

import org.apache.flink.api.common.state.AppendingState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.runtime.state.AbstractKeyedStateBackend;
import org.apache.flink.runtime.state.internal.InternalKvState;
import org.apache.flink.runtime.state.internal.InternalMergingState;
import org.apache.flink.streaming.api.operators.TimerHeapInternalTimer;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeSet;

/**
 * Draws random state operations of every kind (value, list, map, reducing, aggregating, namespace
 * merges, iterator removal, states with TTL, timers) and applies each to both backends of a {@link
 * TwinBackends}. Whatever an operation reads must be the same on both.
 */
final class RandomStateOperations {

    private final Random random;
    private long nextTimerTimestamp = 1;

    RandomStateOperations(Random random) {
        this.random = random;
    }

    /** Applies one random operation on a key that {@code twins} owns; returns its description. */
    String applyOne(TwinBackends twins, int key) throws Exception {
        String namespace = TwinBackends.NAMESPACES.get(random.nextInt(3));
        long value = random.nextInt(1000);
        int userKey = random.nextInt(8);
        int kind = random.nextInt(22);
        String what = "op " + kind + " key " + key + " ns " + namespace + " v " + value;
        switch (kind) {
            case 0:
            case 1:
                both(
                        twins,
                        TwinBackends.VALUE,
                        key,
                        namespace,
                        s -> ((ValueState<Long>) s).update(value));
                break;
            case 2:
                both(
                        twins,
                        TwinBackends.VALUE,
                        key,
                        namespace,
                        s -> ((ValueState<Long>) s).clear());
                break;
            case 3:
                both(
                        twins,
                        TwinBackends.LIST,
                        key,
                        namespace,
                        s -> ((ListState<Long>) s).add(value));
                break;
            case 4:
                both(
                        twins,
                        TwinBackends.LIST,
                        key,
                        namespace,
                        s -> ((ListState<Long>) s).update(List.of(value, value + 1)));
                break;
            case 5:
                both(twins, TwinBackends.LIST, key, namespace, s -> ((ListState<Long>) s).clear());
                break;
            case 6:
            case 7:
                both(
                        twins,
                        TwinBackends.MAP,
                        key,
                        namespace,
                        s -> ((MapState<Integer, Long>) s).put(userKey, value));
                break;
            case 8:
                both(
                        twins,
                        TwinBackends.MAP,
                        key,
                        namespace,
                        s -> ((MapState<Integer, Long>) s).remove(userKey));
                break;
            case 9:
                both(
                        twins,
                        TwinBackends.MAP,
                        key,
                        namespace,
                        RandomStateOperations::removeEvenKeys);
                break;
            case 10:
                both(
                        twins,
                        TwinBackends.REDUCING,
                        key,
                        namespace,
                        s -> ((AppendingState<Long, Long>) s).add(value));
                break;
            case 11:
                both(
                        twins,
                        TwinBackends.AGGREGATING,
                        key,
                        namespace,
                        s -> ((AppendingState<Long, String>) s).add(value));
                break;
            case 12:
                StateDescriptor<?, ?> merging =
                        List.of(TwinBackends.LIST, TwinBackends.REDUCING, TwinBackends.AGGREGATING)
                                .get(random.nextInt(3));
                both(twins, merging, key, namespace, s -> merge(s, namespace));
                what += " merge " + merging.getName();
                break;
            case 13:
                both(
                        twins,
                        TwinBackends.TTL_VALUE,
                        key,
                        namespace,
                        s -> ((ValueState<Long>) s).update(value));
                break;
            case 14:
                both(
                        twins,
                        TwinBackends.TTL_LIST,
                        key,
                        namespace,
                        s -> ((ListState<Long>) s).add(value));
                break;
            case 15:
                both(
                        twins,
                        TwinBackends.TTL_MAP,
                        key,
                        namespace,
                        s -> ((MapState<Integer, Long>) s).put(userKey, value));
                break;
            case 16:
            case 17:
                StateDescriptor<?, ?> read =
                        List.of(TwinBackends.TTL_VALUE, TwinBackends.TTL_LIST, TwinBackends.TTL_MAP)
                                .get(random.nextInt(3));
                sameRead(twins, read, key, namespace);
                what += " read " + read.getName();
                break;
            case 18:
            case 19:
                TimerHeapInternalTimer<Integer, String> timer =
                        new TimerHeapInternalTimer<>(nextTimerTimestamp++, key, namespace);
                twins.ourTimers.add(timer);
                twins.referenceTimers.add(
                        new TimerHeapInternalTimer<>(timer.getTimestamp(), key, namespace));
                break;
            case 20:
                what += " remove timer " + removeTimer(twins);
                break;
            default:
                TimerHeapInternalTimer<Integer, String> mine = twins.ourTimers.poll();
                TimerHeapInternalTimer<Integer, String> theirs = twins.referenceTimers.poll();
                if (!Objects.equals(mine, theirs)) {
                    throw new AssertionError("poll: ours " + mine + ", HashMap " + theirs);
                }
                what += " poll " + mine;
        }
        return what;
    }

    private String removeTimer(TwinBackends twins) {
        TreeSet<String> timers = TwinBackends.timerSet(twins.referenceTimers);
        if (timers.isEmpty()) {
            return "none";
        }
        List<String> all = new ArrayList<>(timers);
        String[] parts = all.get(random.nextInt(all.size())).split("/");
        long timestamp = Long.parseLong(parts[0]);
        int key = Integer.parseInt(parts[1]);
        boolean mine =
                twins.ourTimers.remove(new TimerHeapInternalTimer<>(timestamp, key, parts[2]));
        boolean theirs =
                twins.referenceTimers.remove(
                        new TimerHeapInternalTimer<>(timestamp, key, parts[2]));
        if (mine != theirs) {
            throw new AssertionError("remove timer: ours " + mine + ", HashMap " + theirs);
        }
        return String.join("/", parts);
    }

    private static void removeEvenKeys(Object state) throws Exception {
        Iterator<Map.Entry<Integer, Long>> iterator = ((MapState<Integer, Long>) state).iterator();
        while (iterator.hasNext()) {
            if (iterator.next().getKey() % 2 == 0) {
                iterator.remove();
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void merge(Object state, String target) throws Exception {
        List<String> sources = new ArrayList<>(TwinBackends.NAMESPACES);
        sources.remove(target);
        ((InternalMergingState<Integer, String, ?, ?, ?>) state).mergeNamespaces(target, sources);
    }

    private static void sameRead(
            TwinBackends twins, StateDescriptor<?, ?> descriptor, int key, String namespace)
            throws Exception {
        Object mine = TwinBackends.read(twins.ours, descriptor, key, namespace);
        Object theirs = TwinBackends.read(twins.reference, descriptor, key, namespace);
        if (!Objects.equals(mine, theirs)) {
            throw new AssertionError(
                    "read " + descriptor.getName() + ": ours " + mine + ", HashMap " + theirs);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void both(
            TwinBackends twins,
            StateDescriptor<?, ?> descriptor,
            int key,
            String namespace,
            StateAction action)
            throws Exception {
        for (AbstractKeyedStateBackend<Integer> backend : List.of(twins.ours, twins.reference)) {
            InternalKvState<Integer, String, ?> state =
                    TwinBackends.state(backend, (StateDescriptor) descriptor, key, namespace);
            action.apply(state);
        }
    }

    @FunctionalInterface
    private interface StateAction {
        void apply(Object state) throws Exception;
    }
}
