package io.flinkrecovery.examples.totals;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.util.Objects;
import java.util.SortedMap;

/**
 * The example job: a bounded, rate-limited stream of {@link Event}s is keyed by key, each key's
 * running {@link Total} is kept in keyed state, and the totals go to {@link CollectedTotals}. It
 * can fail once after a checkpoint, and its result is checked against {@link ExpectedTotals}.
 */
public final class RunningTotalsJob {

    public static final String SOURCE_UID = "events";
    public static final String FAILURE_UID = "fail-once";
    public static final String TOTALS_UID = "running-totals";
    public static final String SINK_UID = "collected-totals";

    private static final long NEVER = -1;

    private final String runId;
    private final long events;
    private final int keys;
    private final double eventsPerSecond;
    private final int parallelism;
    private final long failAfterRecords;

    private RunningTotalsJob(Builder builder) {
        this.runId = builder.runId;
        this.events = builder.events;
        this.keys = builder.keys;
        this.eventsPerSecond = builder.eventsPerSecond;
        this.parallelism = builder.parallelism;
        this.failAfterRecords = builder.failAfterRecords;
    }

    /**
     * Starts a job whose results and injected failure are kept under {@code runId}. Submissions
     * with one run id (a run and its restores) share both.
     */
    public static Builder builder(String runId) {
        return new Builder(runId);
    }

    /** A builder with this job's settings, e.g. to restore the same job without a failure. */
    public Builder toBuilder() {
        Builder builder = new Builder(runId);
        builder.events = events;
        builder.keys = keys;
        builder.eventsPerSecond = eventsPerSecond;
        builder.parallelism = parallelism;
        builder.failAfterRecords = failAfterRecords;
        return builder;
    }

    /**
     * Adds source, failure injection, running totals and sink to {@code env}. Every operator has a
     * stable uid, so a checkpoint or savepoint of one submission restores into the next, also with
     * another parallelism.
     */
    public DataStreamSink<Total> addTo(StreamExecutionEnvironment env) {
        int numKeys = keys;
        GeneratorFunction<Long, Event> generator = index -> Event.at(index, numKeys);
        DataGeneratorSource<Event> source =
                new DataGeneratorSource<>(
                        generator,
                        events,
                        eventsPerSecond == Double.POSITIVE_INFINITY
                                ? RateLimiterStrategy.noOp()
                                : RateLimiterStrategy.perSecond(eventsPerSecond),
                        TypeInformation.of(Event.class));
        SingleOutputStreamOperator<Event> input =
                withParallelism(
                        env.fromSource(source, WatermarkStrategy.noWatermarks(), "events")
                                .uid(SOURCE_UID));
        SingleOutputStreamOperator<Event> checked =
                withParallelism(
                        input.map(new FailOnce(runId, failAfterRecords))
                                .uid(FAILURE_UID)
                                .name("fail-once"));
        SingleOutputStreamOperator<Total> totals =
                withParallelism(
                        checked.keyBy(Event::key, Types.INT)
                                .process(new RunningTotal())
                                .uid(TOTALS_UID)
                                .name("running-totals"));
        DataStreamSink<Total> sink =
                totals.sinkTo(new CollectedTotals(runId)).uid(SINK_UID).name("collected-totals");
        return parallelism > 0 ? sink.setParallelism(parallelism) : sink;
    }

    private <T> SingleOutputStreamOperator<T> withParallelism(
            SingleOutputStreamOperator<T> operator) {
        return parallelism > 0 ? operator.setParallelism(parallelism) : operator;
    }

    /** The newest total per key the sink received under this run id in this JVM. */
    public SortedMap<Integer, Total> results() {
        return CollectedTotals.of(runId);
    }

    /** The reference the results must equal once every event is processed. */
    public SortedMap<Integer, Total> expected() {
        return ExpectedTotals.compute(events, keys);
    }

    /** Whether the injected failure of this run id has happened in this JVM. */
    public boolean hasFailed() {
        return FailOnce.hasFailed(runId);
    }

    /** Forgets this run id's results and injected failure, so that the run id can be reused. */
    public void reset() {
        CollectedTotals.clear(runId);
        FailOnce.reset(runId);
    }

    public String runId() {
        return runId;
    }

    public long events() {
        return events;
    }

    public int keys() {
        return keys;
    }

    /** Events per second over all source subtasks; infinite when unthrottled. */
    public double eventsPerSecond() {
        return eventsPerSecond;
    }

    /** The parallelism of every operator, or 0 for the environment's default. */
    public int parallelism() {
        return parallelism;
    }

    /** After how many events subtask 0 fails once, or -1 for never. */
    public long failAfterRecords() {
        return failAfterRecords;
    }

    @Override
    public String toString() {
        return "RunningTotalsJob{run "
                + runId
                + ", "
                + events
                + " events, "
                + keys
                + " keys, "
                + (eventsPerSecond == Double.POSITIVE_INFINITY
                        ? "unthrottled"
                        : String.format("%.0f events/s", eventsPerSecond))
                + ", parallelism "
                + (parallelism > 0 ? String.valueOf(parallelism) : "default")
                + (failAfterRecords == NEVER
                        ? ""
                        : ", fails once after " + failAfterRecords + " events in subtask 0")
                + "}";
    }

    /** Configures a {@link RunningTotalsJob}; every setter validates its argument at once. */
    public static final class Builder {

        private final String runId;
        private long events = 20_000;
        private int keys = 100;
        private double eventsPerSecond = 2_000;
        private int parallelism;
        private long failAfterRecords = NEVER;

        private Builder(String runId) {
            Objects.requireNonNull(runId, "runId");
            if (runId.isBlank()) {
                throw new IllegalArgumentException("Invalid runId: '" + runId + "' (blank)");
            }
            this.runId = runId;
        }

        /** How many events the source emits before it finishes. Default 20,000. */
        public Builder events(long events) {
            if (events < 0) {
                throw new IllegalArgumentException("Invalid events: " + events + " (must be ≥ 0)");
            }
            this.events = events;
            return this;
        }

        /** How many keys the events spread over. Default 100. */
        public Builder keys(int keys) {
            if (keys <= 0) {
                throw new IllegalArgumentException("Invalid keys: " + keys + " (must be > 0)");
            }
            this.keys = keys;
            return this;
        }

        /** The source's rate over all its subtasks. Default 2,000. */
        public Builder eventsPerSecond(double eventsPerSecond) {
            if (!(eventsPerSecond > 0) || Double.isInfinite(eventsPerSecond)) {
                throw new IllegalArgumentException(
                        "Invalid eventsPerSecond: "
                                + eventsPerSecond
                                + " (must be finite and > 0; use unthrottled() for no limit)");
            }
            this.eventsPerSecond = eventsPerSecond;
            return this;
        }

        /** Emits events as fast as the job takes them. */
        public Builder unthrottled() {
            this.eventsPerSecond = Double.POSITIVE_INFINITY;
            return this;
        }

        /** The parallelism of every operator. Default: the environment's. */
        public Builder parallelism(int parallelism) {
            if (parallelism <= 0) {
                throw new IllegalArgumentException(
                        "Invalid parallelism: " + parallelism + " (must be > 0)");
            }
            this.parallelism = parallelism;
            return this;
        }

        /**
         * Fails once per run id and JVM: in subtask 0, after it has seen {@code records} events in
         * its current attempt and a checkpoint has completed. Default: never.
         */
        public Builder failAfterRecords(long records) {
            if (records <= 0) {
                throw new IllegalArgumentException(
                        "Invalid failAfterRecords: " + records + " (must be > 0)");
            }
            this.failAfterRecords = records;
            return this;
        }

        /** Never injects a failure. */
        public Builder noFailure() {
            this.failAfterRecords = NEVER;
            return this;
        }

        public RunningTotalsJob build() {
            return new RunningTotalsJob(this);
        }
    }
}
