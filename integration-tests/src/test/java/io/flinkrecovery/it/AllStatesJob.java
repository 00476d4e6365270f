package io.flinkrecovery.it;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.AggregatingState;
import org.apache.flink.api.common.state.AggregatingStateDescriptor;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ReducingState;
import org.apache.flink.api.common.state.ReducingStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

import io.flinkrecovery.examples.compat.SubtaskSink;
import io.flinkrecovery.examples.totals.Event;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Queue;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded job that uses every kind of state a heap backend keeps: value, list, map, reducing and
 * aggregating keyed state (list and map with TTL), event-time and processing-time timers, operator
 * list state and broadcast state. Its output is a pure function of its input, which {@link
 * AllStatesModel} computes without Flink.
 *
 * <p>One source subtask emits {@link Event}s in index order, so each key sees its events in index
 * order whatever the parallelism of the keyed operator; event time is the index times {@link
 * #MILLIS_PER_EVENT}, with monotonous watermarks, so no event is late. Results, operator-state
 * counts and injected failures are kept per run id in static registries: the MiniCluster runs in
 * this JVM.
 */
final class AllStatesJob {

    static final String EVENTS_UID = "events";
    static final String COUNTER_UID = "counting-failures";
    static final String RULES_UID = "rules";
    static final String STATES_UID = "all-states";
    static final String SINK_UID = "summaries";

    static final int MAX_PARALLELISM = 128;

    /** The list state keeps a key's last {@value} amounts. */
    static final int LAST_K = 4;

    /** An amount's sub-key is {@code amount % SUB_KEYS}. */
    static final int SUB_KEYS = 7;

    /** A sub-key's count is removed from the map state when it reaches this, so it cycles. */
    static final long SUB_KEY_ROLLOVER = 5;

    static final long MILLIS_PER_EVENT = 2;

    /** Each key has an event-time timer at the end of every bucket it has events in. */
    static final long BUCKET_MILLIS = 1_000;

    /** Every this many events of a key, its pending processing-time timer is deleted and re-set. */
    static final long RESCHEDULE_EVERY = 16;

    static final long PROGRESS_DELAY_MILLIS = 20;

    static final int RULES = 24;

    private static final double RULES_PER_SECOND = 10;

    /**
     * TTL of the list and map states: long enough never to expire during a run, so the compared
     * result does not depend on processing time, while the states are still stored with TTL
     * timestamps (TtlListState, TtlMapState) and restored through the TTL serializers.
     */
    static final Duration TTL = Duration.ofHours(1);

    private final String runId;
    private final long events;
    private final int keys;
    private final int eventsPerCheckpoint;
    private final int failures;
    private final long failAfterRecords;

    private AllStatesJob(
            String runId,
            long events,
            int keys,
            int eventsPerCheckpoint,
            int failures,
            long failAfterRecords) {
        this.runId = runId;
        this.events = events;
        this.keys = keys;
        this.eventsPerCheckpoint = eventsPerCheckpoint;
        this.failures = failures;
        this.failAfterRecords = failAfterRecords;
    }

    /**
     * A job without injected failures whose source emits {@code eventsPerCheckpoint} events, then
     * waits for the next completed checkpoint: progress is tied to checkpoints, not to the speed of
     * the machine, so a run cancelled after a few checkpoints is always cancelled mid-stream.
     */
    static AllStatesJob of(String runId, long events, int keys, int eventsPerCheckpoint) {
        return new AllStatesJob(runId, events, keys, eventsPerCheckpoint, 0, Long.MAX_VALUE);
    }

    /**
     * This job, but failing {@code failures} times per run id in this JVM: each time after {@code
     * failAfterRecords} events of an attempt in which a checkpoint has completed.
     */
    AllStatesJob failing(int failures, long failAfterRecords) {
        return new AllStatesJob(
                runId, events, keys, eventsPerCheckpoint, failures, failAfterRecords);
    }

    /** The same job, with its results and counts kept under another run id. */
    AllStatesJob withRunId(String otherRunId) {
        return new AllStatesJob(
                otherRunId, events, keys, eventsPerCheckpoint, failures, failAfterRecords);
    }

    String runId() {
        return runId;
    }

    long events() {
        return events;
    }

    int keys() {
        return keys;
    }

    /** Submits the job with the keyed operator and sink at {@code parallelism}. */
    JobID start(Configuration config, int parallelism) throws Exception {
        return start(config, parallelism, new SummarySink(runId));
    }

    /**
     * Submits the job as {@link #start(Configuration, int)} does, its summaries to {@code sink}.
     */
    JobID start(Configuration config, int parallelism, Sink<Summary> sink) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(parallelism);
        env.setMaxParallelism(MAX_PARALLELISM);
        addTo(env, sink);
        return env.executeAsync(runId).getJobID();
    }

    /**
     * Adds the job's operators to {@code env}, with its summaries going to {@code sink}: {@link
     * SummarySink} in this JVM, or a sink that outlives the TaskManager's process. Returns the
     * input events, each once, for a second output.
     */
    DataStream<Event> addTo(StreamExecutionEnvironment env, Sink<Summary> sink) {
        int numKeys = keys;
        DataGeneratorSource<Event> eventSource =
                new DataGeneratorSource<>(
                        index -> Event.at(index, numKeys),
                        events,
                        RateLimiterStrategy.perCheckpoint(eventsPerCheckpoint),
                        TypeInformation.of(Event.class));
        DataStream<Event> input =
                env.fromSource(
                                eventSource,
                                WatermarkStrategy.<Event>forMonotonousTimestamps()
                                        .withTimestampAssigner(
                                                (event, previous) -> timestamp(event.sequence())),
                                "events")
                        .uid(EVENTS_UID)
                        .setParallelism(1)
                        .map(new CountingFailures(runId, failures, failAfterRecords))
                        .uid(COUNTER_UID)
                        .name("counting-failures")
                        .setParallelism(1);
        DataGeneratorSource<Rule> ruleSource =
                new DataGeneratorSource<>(
                        Rule::at,
                        RULES,
                        RateLimiterStrategy.perSecond(RULES_PER_SECOND),
                        TypeInformation.of(Rule.class));
        BroadcastStream<Rule> rules =
                env.fromSource(ruleSource, WatermarkStrategy.noWatermarks(), "rules")
                        .uid(RULES_UID)
                        .setParallelism(1)
                        .broadcast(rulesDescriptor());
        input.keyBy(Event::key, Types.INT)
                .connect(rules)
                .process(new AllStates(runId), TypeInformation.of(Summary.class))
                .uid(STATES_UID)
                .name("all-states")
                .sinkTo(sink)
                .uid(SINK_UID)
                .name("summaries");
        return input;
    }

    static long timestamp(long index) {
        return index * MILLIS_PER_EVENT;
    }

    static long bucketEnd(long timestamp) {
        return (timestamp / BUCKET_MILLIS + 1) * BUCKET_MILLIS - 1;
    }

    private static MapStateDescriptor<Integer, Rule> rulesDescriptor() {
        return new MapStateDescriptor<>("rules", Types.INT, TypeInformation.of(Rule.class));
    }

    /** What the sink received under this run id. */
    Results results() {
        return Results.of(runId);
    }

    /** How many failures were injected under this run id. */
    int injectedFailures() {
        AtomicInteger injected = INJECTED.get(runId);
        return injected == null ? 0 : injected.get();
    }

    /**
     * Per subtask of operator {@code uid} in {@code job}: the count it wrote into operator state in
     * its newest snapshot.
     */
    SortedMap<Integer, Long> operatorCounts(JobID job, String uid) {
        SortedMap<Integer, Long> latest = new TreeMap<>();
        OperatorCounts.history(runId, job, uid)
                .forEach(
                        (subtask, byCheckpoint) ->
                                latest.put(subtask, byCheckpoint.lastEntry().getValue()));
        return latest;
    }

    /**
     * The sum over the subtasks of {@code uid} of the counts they snapshotted in {@code
     * checkpoint}.
     */
    long operatorCountAt(JobID job, String uid, long checkpoint) {
        return OperatorCounts.history(runId, job, uid).values().stream()
                .mapToLong(byCheckpoint -> byCheckpoint.getOrDefault(checkpoint, 0L))
                .sum();
    }

    /** Forgets the results, counts and failures of this run id, so that a test starts afresh. */
    void reset() {
        Results.RUNS.remove(runId);
        INJECTED.remove(runId);
        OperatorCounts.RUNS.keySet().removeIf(k -> k.startsWith(runId + "/"));
    }

    private static final Map<String, AtomicInteger> INJECTED = new ConcurrentHashMap<>();

    /**
     * Passes events through and counts them in operator list state. Fails while the run id has
     * fewer than {@code failures} injected failures, each time after {@code failAfterRecords}
     * events of an attempt in which a checkpoint completed.
     */
    static final class CountingFailures extends RichMapFunction<Event, Event>
            implements CheckpointedFunction, CheckpointListener {

        private static final long serialVersionUID = 1L;

        private final String runId;
        private final int failures;
        private final long failAfterRecords;

        private transient ListState<Long> countState;
        private transient long count;
        private transient long seenInAttempt;
        private transient boolean checkpointedInAttempt;

        CountingFailures(String runId, int failures, long failAfterRecords) {
            this.runId = runId;
            this.failures = failures;
            this.failAfterRecords = failAfterRecords;
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            countState =
                    context.getOperatorStateStore()
                            .getListState(new ListStateDescriptor<>("forwarded", Types.LONG));
            count = sum(countState.get());
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            countState.update(List.of(count));
            OperatorCounts.record(
                    runId, COUNTER_UID, getRuntimeContext(), context.getCheckpointId(), count);
        }

        @Override
        public Event map(Event event) {
            count++;
            seenInAttempt++;
            if (seenInAttempt >= failAfterRecords
                    && checkpointedInAttempt
                    && INJECTED.computeIfAbsent(runId, id -> new AtomicInteger())
                                    .getAndUpdate(n -> n < failures ? n + 1 : n)
                            < failures) {
                throw new IllegalStateException(
                        "Injected failure of run "
                                + runId
                                + " at event "
                                + event.sequence()
                                + "; Flink must restore the job from its latest checkpoint");
            }
            return event;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            checkpointedInAttempt = true;
        }
    }

    /**
     * The keyed operator: every keyed state type, both timer domains, broadcast and operator state.
     */
    static final class AllStates
            extends KeyedBroadcastProcessFunction<Integer, Event, Rule, Summary>
            implements CheckpointedFunction {

        private static final long serialVersionUID = 1L;

        private final String runId;

        private transient ValueStateDescriptor<Long> countDescriptor;
        private transient ValueState<Long> count;
        private transient ValueState<Long> sum;
        private transient ReducingState<Long> max;
        private transient AggregatingState<Long, Double> average;
        private transient ListState<Long> lastAmounts;
        private transient MapState<Integer, Long> subKeyCounts;
        private transient ValueState<Long> closedBuckets;
        private transient ValueState<Long> progressTimer;

        private transient ListState<Long> processedState;
        private transient long processed;

        AllStates(String runId) {
            this.runId = runId;
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            processedState =
                    context.getOperatorStateStore()
                            .getListState(new ListStateDescriptor<>("processed", Types.LONG));
            processed = sum(processedState.get());
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            processedState.update(List.of(processed));
            OperatorCounts.record(
                    runId, STATES_UID, getRuntimeContext(), context.getCheckpointId(), processed);
        }

        @Override
        public void open(OpenContext openContext) {
            StateTtlConfig ttl =
                    StateTtlConfig.newBuilder(TTL)
                            .setUpdateType(StateTtlConfig.UpdateType.OnReadAndWrite)
                            .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                            .build();
            ListStateDescriptor<Long> last = new ListStateDescriptor<>("last-amounts", Types.LONG);
            last.enableTimeToLive(ttl);
            MapStateDescriptor<Integer, Long> subKeys =
                    new MapStateDescriptor<>("sub-key-counts", Types.INT, Types.LONG);
            subKeys.enableTimeToLive(ttl);

            countDescriptor = new ValueStateDescriptor<>("count", Types.LONG);
            count = getRuntimeContext().getState(countDescriptor);
            sum = getRuntimeContext().getState(new ValueStateDescriptor<>("sum", Types.LONG));
            max =
                    getRuntimeContext()
                            .getReducingState(
                                    new ReducingStateDescriptor<>("max", Math::max, Types.LONG));
            average =
                    getRuntimeContext()
                            .getAggregatingState(
                                    new AggregatingStateDescriptor<>(
                                            "average",
                                            new Average(),
                                            Types.TUPLE(Types.LONG, Types.LONG)));
            lastAmounts = getRuntimeContext().getListState(last);
            subKeyCounts = getRuntimeContext().getMapState(subKeys);
            closedBuckets =
                    getRuntimeContext()
                            .getState(new ValueStateDescriptor<>("closed-buckets", Types.LONG));
            progressTimer =
                    getRuntimeContext()
                            .getState(new ValueStateDescriptor<>("progress-timer", Types.LONG));
        }

        @Override
        public void processElement(Event event, ReadOnlyContext context, Collector<Summary> out)
                throws Exception {
            processed++;
            long amount = event.amount();
            long n = valueOrZero(count) + 1;
            count.update(n);
            sum.update(valueOrZero(sum) + amount);
            max.add(amount);
            average.add(amount);

            List<Long> last = list(lastAmounts.get());
            if (last.size() < LAST_K) {
                lastAmounts.add(amount);
            } else {
                last.remove(0);
                last.add(amount);
                lastAmounts.update(last);
            }

            int subKey = (int) (amount % SUB_KEYS);
            Long subKeyCount = subKeyCounts.get(subKey);
            long nextSubKeyCount = (subKeyCount == null ? 0 : subKeyCount) + 1;
            if (nextSubKeyCount == SUB_KEY_ROLLOVER) {
                subKeyCounts.remove(subKey);
            } else {
                subKeyCounts.put(subKey, nextSubKeyCount);
            }

            context.timerService().registerEventTimeTimer(bucketEnd(context.timestamp()));
            if (n == 1) {
                context.timerService().registerEventTimeTimer(Long.MAX_VALUE);
            }
            Long pending = progressTimer.value();
            if (pending != null && n % RESCHEDULE_EVERY == 0) {
                context.timerService().deleteProcessingTimeTimer(pending);
                pending = null;
            }
            if (pending == null) {
                long at = context.timerService().currentProcessingTime() + PROGRESS_DELAY_MILLIS;
                context.timerService().registerProcessingTimeTimer(at);
                progressTimer.update(at);
            }
        }

        @Override
        public void processBroadcastElement(Rule rule, Context context, Collector<Summary> out)
                throws Exception {
            context.getBroadcastState(rulesDescriptor()).put(rule.id(), rule);
            // Reads every key's count through the backend's key iteration; no effect on results.
            context.applyToKeyedState(
                    countDescriptor,
                    (key, state) -> {
                        Long value = state.value();
                        if (value == null || value < 1) {
                            throw new IllegalStateException(
                                    "Key " + key + " is listed with count " + value);
                        }
                    });
        }

        @Override
        public void onTimer(long timestamp, OnTimerContext context, Collector<Summary> out)
                throws Exception {
            int key = context.getCurrentKey();
            if (context.timeDomain() == TimeDomain.PROCESSING_TIME) {
                progressTimer.clear();
                out.collect(summary(key, Summary.Kind.PROGRESS, -1, -1));
            } else if (timestamp == Long.MAX_VALUE) {
                out.collect(
                        summary(
                                key,
                                Summary.Kind.FINAL,
                                valueOrZero(closedBuckets),
                                ruleScore(context.getBroadcastState(rulesDescriptor()))));
            } else {
                closedBuckets.update(valueOrZero(closedBuckets) + 1);
            }
        }

        private long ruleScore(ReadOnlyBroadcastState<Integer, Rule> rules) throws Exception {
            long score = 0;
            for (Map.Entry<Integer, Rule> entry : rules.immutableEntries()) {
                Long subKeyCount = subKeyCounts.get(entry.getValue().subKey());
                score += entry.getValue().weight() * (1 + (subKeyCount == null ? 0 : subKeyCount));
            }
            return score;
        }

        private Summary summary(int key, Summary.Kind kind, long buckets, long ruleScore)
                throws Exception {
            TreeMap<Integer, Long> subKeys = new TreeMap<>();
            for (Map.Entry<Integer, Long> entry : subKeyCounts.entries()) {
                subKeys.put(entry.getKey(), entry.getValue());
            }
            return new Summary(
                    key,
                    kind,
                    valueOrZero(count),
                    valueOrZero(sum),
                    max.get(),
                    average.get(),
                    list(lastAmounts.get()).toString(),
                    subKeys.toString(),
                    buckets,
                    ruleScore);
        }
    }

    /** Sum and count, as a new tuple per update: heap backends keep the returned object. */
    static final class Average implements AggregateFunction<Long, Tuple2<Long, Long>, Double> {

        private static final long serialVersionUID = 1L;

        @Override
        public Tuple2<Long, Long> createAccumulator() {
            return Tuple2.of(0L, 0L);
        }

        @Override
        public Tuple2<Long, Long> add(Long value, Tuple2<Long, Long> accumulator) {
            return Tuple2.of(accumulator.f0 + value, accumulator.f1 + 1);
        }

        @Override
        public Double getResult(Tuple2<Long, Long> accumulator) {
            return (double) accumulator.f0 / accumulator.f1;
        }

        @Override
        public Tuple2<Long, Long> merge(Tuple2<Long, Long> a, Tuple2<Long, Long> b) {
            return Tuple2.of(a.f0 + b.f0, a.f1 + b.f1);
        }
    }

    private static long valueOrZero(ValueState<Long> state) throws Exception {
        Long value = state.value();
        return value == null ? 0 : value;
    }

    private static List<Long> list(Iterable<Long> values) {
        List<Long> list = new ArrayList<>();
        if (values != null) {
            values.forEach(list::add);
        }
        return list;
    }

    private static long sum(Iterable<Long> values) {
        long sum = 0;
        for (Long value : values) {
            sum += value;
        }
        return sum;
    }

    /**
     * Keeps every summary the job emitted under its run id: the final one per key, and the progress
     * ones per key and count. A replay after a restore must repeat the same summary; one that
     * differs is recorded as a conflict.
     */
    static final class SummarySink extends SubtaskSink<Summary> {

        private static final long serialVersionUID = 1L;

        private final String runId;

        SummarySink(String runId) {
            this.runId = runId;
        }

        @Override
        protected SinkWriter<Summary> createWriter(TaskInfo task) {
            Results results = Results.of(runId);
            return new SinkWriter<>() {
                @Override
                public void write(Summary summary, Context context) {
                    results.offer(summary);
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }

    /** What {@link SummarySink} received under one run id. */
    static final class Results {

        private static final Map<String, Results> RUNS = new ConcurrentHashMap<>();

        final Map<Integer, Summary> finals = new ConcurrentHashMap<>();
        final Map<List<Long>, Summary> progress = new ConcurrentHashMap<>();
        final Queue<String> conflicts = new ConcurrentLinkedQueue<>();

        static Results of(String runId) {
            return RUNS.computeIfAbsent(runId, id -> new Results());
        }

        void offer(Summary summary) {
            Summary previous =
                    summary.kind() == Summary.Kind.FINAL
                            ? finals.putIfAbsent(summary.key(), summary)
                            : progress.putIfAbsent(
                                    List.of((long) summary.key(), summary.count()), summary);
            if (previous != null && !previous.equals(summary)) {
                conflicts.add("emitted " + previous + ", then " + summary);
            }
        }
    }

    /** Operator-state counts by run id, job, operator uid, subtask and checkpoint id. */
    static final class OperatorCounts {

        private static final Map<String, Map<Integer, NavigableMap<Long, Long>>> RUNS =
                new ConcurrentHashMap<>();

        static void record(
                String runId, String uid, RuntimeContext context, long checkpointId, long count) {
            RUNS.computeIfAbsent(
                            runId + "/" + context.getJobInfo().getJobId() + "/" + uid,
                            k -> new ConcurrentHashMap<>())
                    .computeIfAbsent(
                            context.getTaskInfo().getIndexOfThisSubtask(),
                            s -> new ConcurrentSkipListMap<>())
                    .put(checkpointId, count);
        }

        static Map<Integer, NavigableMap<Long, Long>> history(String runId, JobID job, String uid) {
            return RUNS.getOrDefault(runId + "/" + job + "/" + uid, Map.of());
        }
    }
}
