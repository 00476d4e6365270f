package io.flinkrecovery.it;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A keyed job for the local recovery test: events {@code 0..events-1} at a steady rate, keyed by
 * {@code event % KEYS}, summed per key in keyed state beside a padded text (so that segments are
 * objects, not inlined). The last event of each key records the key's total; the test compares the
 * totals with {@link #expectedTotals()}. The job fails on request ({@link #failNow()}), in this
 * JVM.
 */
final class LocalRecoveryJob {

    static final int KEYS = 2_000;
    static final String TOTALS_UID = "totals";

    /** Failures requested and not yet injected, by run id. */
    private static final Map<String, AtomicInteger> REQUESTED = new ConcurrentHashMap<>();

    private static final Map<String, AtomicInteger> INJECTED = new ConcurrentHashMap<>();

    private static final Map<String, Map<Integer, Long>> TOTALS = new ConcurrentHashMap<>();

    private final String runId;
    private final long events;
    private final double eventsPerSecond;

    LocalRecoveryJob(String runId, long events, double eventsPerSecond) {
        this.runId = runId;
        this.events = events;
        this.eventsPerSecond = eventsPerSecond;
        REQUESTED.put(runId, new AtomicInteger());
        INJECTED.put(runId, new AtomicInteger());
        TOTALS.put(runId, new ConcurrentHashMap<>());
    }

    JobID start(Configuration config, int parallelism) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(parallelism);
        env.setMaxParallelism(AllStatesJob.MAX_PARALLELISM);
        DataGeneratorSource<Long> source =
                new DataGeneratorSource<>(
                        index -> index,
                        events,
                        RateLimiterStrategy.perSecond(eventsPerSecond),
                        Types.LONG);
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "events")
                .setParallelism(1)
                .map(new FailOnRequest(runId))
                .setParallelism(1)
                .keyBy(event -> (int) (event % KEYS), Types.INT)
                .process(new Totals(runId, events))
                .uid(TOTALS_UID)
                .sinkTo(new DiscardingSink<>());
        return env.executeAsync(runId).getJobID();
    }

    /** Makes the job fail at its next event; Flink then restores its latest checkpoint. */
    void failNow() {
        REQUESTED.get(runId).incrementAndGet();
    }

    /** How many failures the job injected so far. */
    int injectedFailures() {
        return INJECTED.get(runId).get();
    }

    /** The totals the job recorded, by key. */
    Map<Integer, Long> totals() {
        return new TreeMap<>(TOTALS.get(runId));
    }

    /** Every key's sum of events, computed without Flink. */
    Map<Integer, Long> expectedTotals() {
        Map<Integer, Long> totals = new TreeMap<>();
        for (long event = 0; event < events; event++) {
            totals.merge((int) (event % KEYS), event, Long::sum);
        }
        return totals;
    }

    /** Passes events through, and fails once when the test asks for it. */
    private static final class FailOnRequest extends RichMapFunction<Long, Long> {

        private static final long serialVersionUID = 1L;

        private final String runId;

        FailOnRequest(String runId) {
            this.runId = runId;
        }

        @Override
        public Long map(Long event) {
            if (REQUESTED.get(runId).getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                INJECTED.get(runId).incrementAndGet();
                throw new IllegalStateException(
                        "Injected failure of run " + runId + " at event " + event);
            }
            return event;
        }
    }

    /** Sums events per key; the last event of a key records its total. */
    private static final class Totals extends KeyedProcessFunction<Integer, Long, Long> {

        private static final long serialVersionUID = 1L;

        private static final String PADDING = "x".repeat(100);

        private final String runId;
        private final long events;
        private transient ValueState<Long> sum;
        private transient ValueState<String> padding;

        Totals(String runId, long events) {
            this.runId = runId;
            this.events = events;
        }

        @Override
        public void open(OpenContext openContext) {
            sum = getRuntimeContext().getState(new ValueStateDescriptor<>("sum", Types.LONG));
            padding =
                    getRuntimeContext()
                            .getState(new ValueStateDescriptor<>("padding", Types.STRING));
        }

        @Override
        public void processElement(Long event, Context context, Collector<Long> out)
                throws Exception {
            Long previous = sum.value();
            long total = (previous == null ? 0 : previous) + event;
            sum.update(total);
            padding.update(PADDING + event);
            if (event >= events - KEYS) {
                TOTALS.get(runId).put(context.getCurrentKey(), total);
            }
            out.collect(total);
        }
    }
}
