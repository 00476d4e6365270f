package io.flinkrecovery.backend.chain;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.state.AggregatingStateDescriptor;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReducingStateDescriptor;
import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.fs.CloseableRegistry;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.state.AbstractKeyedStateBackend;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.KeyGroupedInternalPriorityQueue;
import org.apache.flink.runtime.state.KeyedStateBackendParametersImpl;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.runtime.state.internal.InternalKvState;
import org.apache.flink.runtime.state.ttl.TtlTimeProvider;
import org.apache.flink.streaming.api.operators.TimerHeapInternalTimer;
import org.apache.flink.streaming.api.operators.TimerSerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * One subtask's keyed state twice: in our backend and in {@code HashMapStateBackend}, which every
 * operation is applied to alike. {@link #assertSameState} reads every state of every key and
 * namespace from both, and the timers.
 */
final class TwinBackends implements AutoCloseable {

    static final int MAX_PARALLELISM = 16;
    static final int KEYS = 48;
    static final List<String> NAMESPACES = List.of("a", "b", "c");

    private static final StateTtlConfig TTL =
            StateTtlConfig.newBuilder(Duration.ofMillis(40)).cleanupIncrementally(3, true).build();

    static final ValueStateDescriptor<Long> VALUE =
            new ValueStateDescriptor<>("value", LongSerializer.INSTANCE);
    static final ListStateDescriptor<Long> LIST =
            new ListStateDescriptor<>("list", LongSerializer.INSTANCE);
    static final MapStateDescriptor<Integer, Long> MAP =
            new MapStateDescriptor<>("map", IntSerializer.INSTANCE, LongSerializer.INSTANCE);
    static final ReducingStateDescriptor<Long> REDUCING =
            new ReducingStateDescriptor<>("reducing", Long::sum, LongSerializer.INSTANCE);
    static final AggregatingStateDescriptor<Long, Long, String> AGGREGATING =
            new AggregatingStateDescriptor<>("aggregating", new Join(), LongSerializer.INSTANCE);
    static final ValueStateDescriptor<Long> TTL_VALUE =
            withTtl(new ValueStateDescriptor<>("ttl-value", LongSerializer.INSTANCE));
    static final ListStateDescriptor<Long> TTL_LIST =
            withTtl(new ListStateDescriptor<>("ttl-list", LongSerializer.INSTANCE));
    static final MapStateDescriptor<Integer, Long> TTL_MAP =
            withTtl(
                    new MapStateDescriptor<>(
                            "ttl-map", IntSerializer.INSTANCE, LongSerializer.INSTANCE));

    static final String TIMERS = "timers";
    static final TimerSerializer<Integer, String> TIMER_SERIALIZER =
            new TimerSerializer<>(IntSerializer.INSTANCE, StringSerializer.INSTANCE);

    private static <D extends StateDescriptor<?, ?>> D withTtl(D descriptor) {
        descriptor.enableTimeToLive(TTL);
        return descriptor;
    }

    final KeyGroupRange range;
    final AbstractKeyedStateBackend<Integer> ours;
    final AbstractKeyedStateBackend<Integer> reference;
    final KeyGroupedInternalPriorityQueue<TimerHeapInternalTimer<Integer, String>> ourTimers;
    final KeyGroupedInternalPriorityQueue<TimerHeapInternalTimer<Integer, String>> referenceTimers;

    private TwinBackends(
            KeyGroupRange range,
            AbstractKeyedStateBackend<Integer> ours,
            AbstractKeyedStateBackend<Integer> reference) {
        this.range = range;
        this.ours = ours;
        this.reference = reference;
        // A queue is registered once per backend: the same serializer instance must not be
        // registered again.
        this.ourTimers = ours.create(TIMERS, TIMER_SERIALIZER);
        this.referenceTimers = reference.create(TIMERS, TIMER_SERIALIZER);
    }

    static TwinBackends restore(
            StateBackend ourBackend,
            KeyGroupRange range,
            List<KeyedStateHandle> ourHandles,
            List<KeyedStateHandle> referenceHandles,
            TtlTimeProvider time,
            MockEnvironment env)
            throws Exception {
        return new TwinBackends(
                range,
                create(ourBackend, range, ourHandles, time, env),
                create(new HashMapStateBackend(), range, referenceHandles, time, env));
    }

    private static AbstractKeyedStateBackend<Integer> create(
            StateBackend backend,
            KeyGroupRange range,
            List<KeyedStateHandle> handles,
            TtlTimeProvider time,
            MockEnvironment env)
            throws Exception {
        return (AbstractKeyedStateBackend<Integer>)
                backend.createKeyedStateBackend(
                        new KeyedStateBackendParametersImpl<>(
                                env,
                                new JobID(),
                                "twin",
                                IntSerializer.INSTANCE,
                                MAX_PARALLELISM,
                                range,
                                env.getTaskKvStateRegistry(),
                                time,
                                new UnregisteredMetricsGroup(),
                                (name, value) -> {},
                                handles,
                                new CloseableRegistry(),
                                1.0));
    }

    boolean owns(int key) {
        return range.contains(KeyGroupRangeAssignment.assignToKeyGroup(key, MAX_PARALLELISM));
    }

    /** Both backends' internal state of {@code descriptor}, with key and namespace set. */
    static <S extends State> InternalKvState<Integer, String, ?> state(
            AbstractKeyedStateBackend<Integer> backend,
            StateDescriptor<S, ?> descriptor,
            int key,
            String namespace)
            throws Exception {
        backend.setCurrentKey(key);
        @SuppressWarnings("unchecked")
        InternalKvState<Integer, String, ?> state =
                (InternalKvState<Integer, String, ?>)
                        backend.getOrCreateKeyedState(StringSerializer.INSTANCE, descriptor);
        state.setCurrentNamespace(namespace);
        return state;
    }

    /** Every timer, ordered: heap order differs between backends after a restore. */
    static TreeSet<String> timerSet(
            KeyGroupedInternalPriorityQueue<TimerHeapInternalTimer<Integer, String>> timers) {
        TreeSet<String> all = new TreeSet<>();
        try (var iterator = timers.iterator()) {
            while (iterator.hasNext()) {
                TimerHeapInternalTimer<Integer, String> timer = iterator.next();
                all.add(timer.getTimestamp() + "/" + timer.getKey() + "/" + timer.getNamespace());
            }
        } catch (Exception e) {
            throw new IllegalStateException("Cannot iterate timers", e);
        }
        return all;
    }

    /** Fails with the first entry that differs between the two backends. */
    void assertSameState(String when) throws Exception {
        for (int key = 0; key < KEYS; key++) {
            if (!owns(key)) {
                continue;
            }
            for (String namespace : NAMESPACES) {
                for (StateDescriptor<?, ?> descriptor :
                        List.of(
                                VALUE,
                                LIST,
                                MAP,
                                REDUCING,
                                AGGREGATING,
                                TTL_VALUE,
                                TTL_LIST,
                                TTL_MAP)) {
                    Object mine = read(ours, descriptor, key, namespace);
                    Object theirs = read(reference, descriptor, key, namespace);
                    if (!Objects.equals(mine, theirs)) {
                        throw new AssertionError(
                                String.format(
                                        "%s: state %s, key %d, namespace %s: ours %s, HashMap %s",
                                        when, descriptor.getName(), key, namespace, mine, theirs));
                    }
                }
            }
        }
        TreeSet<String> mine = timerSet(ourTimers);
        TreeSet<String> theirs = timerSet(referenceTimers);
        if (!mine.equals(theirs)) {
            throw new AssertionError(
                    String.format("%s: timers differ: ours %s, HashMap %s", when, mine, theirs));
        }
    }

    /** A comparable copy of what a state holds for one key and namespace. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static Object read(
            AbstractKeyedStateBackend<Integer> backend,
            StateDescriptor<?, ?> descriptor,
            int key,
            String namespace)
            throws Exception {
        InternalKvState<Integer, String, ?> state =
                state(backend, (StateDescriptor) descriptor, key, namespace);
        switch (descriptor.getType()) {
            case VALUE:
                return ((org.apache.flink.api.common.state.ValueState<?>) state).value();
            case LIST:
                Iterable<Long> list =
                        ((org.apache.flink.api.common.state.ListState<Long>) state).get();
                if (list == null) {
                    return null;
                }
                List<Long> copy = new ArrayList<>();
                list.forEach(copy::add);
                return copy.isEmpty() ? null : copy;
            case MAP:
                Map<Integer, Long> entries = new HashMap<>();
                Iterator<Map.Entry<Integer, Long>> iterator =
                        ((org.apache.flink.api.common.state.MapState<Integer, Long>) state)
                                .iterator();
                while (iterator.hasNext()) {
                    Map.Entry<Integer, Long> entry = iterator.next();
                    entries.put(entry.getKey(), entry.getValue());
                }
                return entries.isEmpty() ? null : entries;
            case REDUCING:
            case AGGREGATING:
                return ((org.apache.flink.api.common.state.AppendingState<?, ?>) state).get();
            default:
                throw new IllegalArgumentException(descriptor.toString());
        }
    }

    @Override
    public void close() throws Exception {
        for (AbstractKeyedStateBackend<Integer> backend : List.of(ours, reference)) {
            backend.close();
            backend.dispose();
        }
    }

    /** Aggregates longs into their sum, shown as a string. */
    private static final class Join implements AggregateFunction<Long, Long, String> {
        @Override
        public Long createAccumulator() {
            return 0L;
        }

        @Override
        public Long add(Long value, Long accumulator) {
            return accumulator + value;
        }

        @Override
        public String getResult(Long accumulator) {
            return "sum=" + accumulator;
        }

        @Override
        public Long merge(Long a, Long b) {
            return a + b;
        }
    }
}
