package io.flinkrecovery.examples.totals;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.Serializable;
import java.util.Map;

/**
 * The example job: per-key running totals over a deterministic, replayable event stream, with an
 * optional injected failure. Its result is checked against {@link ExpectedTotals}.
 */
public final class RunningTotalsJob implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String runId;
    private final long events;
    private final int keys;
    private final double eventsPerSecond;
    private final long failAfterRecords;

    private RunningTotalsJob(Builder builder) {
        this.runId = builder.runId;
        this.events = builder.events;
        this.keys = builder.keys;
        this.eventsPerSecond = builder.eventsPerSecond;
        this.failAfterRecords = builder.failAfterRecords;
    }

    public static Builder builder(String runId) {
        return new Builder(runId);
    }

    /**
     * Adds the pipeline to {@code env}; every operator has a stable uid, so state maps on restore.
     */
    public void addTo(StreamExecutionEnvironment env) {
        int numKeys = keys;
        DataGeneratorSource<Event> source =
                new DataGeneratorSource<>(
                        index -> Event.at(index, numKeys),
                        events,
                        RateLimiterStrategy.perSecond(eventsPerSecond),
                        TypeInformation.of(Event.class));
        DataStream<Event> stream =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "events").uid("events");
        if (failAfterRecords >= 0) {
            stream =
                    stream.map(new FailOnce(runId, failAfterRecords))
                            .uid("fail-once")
                            .name("fail-once");
        }
        stream.keyBy(event -> event.key)
                .process(new RunningTotal())
                .uid("running-totals")
                .name("running-totals")
                .sinkTo(new CollectedTotals(runId))
                .uid("collected-totals")
                .name("collected-totals");
    }

    /** The totals this run id has produced so far. */
    public Map<Integer, Total> results() {
        return CollectedTotals.of(runId);
    }

    public Map<Integer, Total> expected() {
        return ExpectedTotals.compute(events, keys);
    }

    /** Whether the injected failure has happened. */
    public boolean hasFailed() {
        return FailOnce.hasFailed(runId);
    }

    public String runId() {
        return runId;
    }

    public long events() {
        return events;
    }

    /** Configures a {@link RunningTotalsJob}. */
    public static final class Builder {
        private final String runId;
        private long events = 20_000;
        private int keys = 100;
        private double eventsPerSecond = 2_000;
        private long failAfterRecords = -1;

        private Builder(String runId) {
            this.runId = runId;
        }

        public Builder events(long events) {
            this.events = events;
            return this;
        }

        public Builder keys(int keys) {
            this.keys = keys;
            return this;
        }

        public Builder eventsPerSecond(double eventsPerSecond) {
            this.eventsPerSecond = eventsPerSecond;
            return this;
        }

        /** Fail once, after subtask 0 of the failing operator has seen this many events. */
        public Builder failAfterRecords(long records) {
            this.failAfterRecords = records;
            return this;
        }

        public RunningTotalsJob build() {
            return new RunningTotalsJob(this);
        }
    }
}
