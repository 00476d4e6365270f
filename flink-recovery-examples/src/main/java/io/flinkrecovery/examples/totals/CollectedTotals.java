package io.flinkrecovery.examples.totals;

import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.connector.sink2.SinkWriter;

import io.flinkrecovery.examples.compat.SubtaskSink;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A sink that keeps, per run id and key, the total with the highest count, in a static registry of
 * this JVM. Output replayed after a restore repeats counts already kept, so the result is
 * idempotent, and a lost or doubled state update shows in the final totals.
 */
public final class CollectedTotals extends SubtaskSink<Total> {

    private static final long serialVersionUID = 1L;

    private static final Map<String, Map<Integer, Total>> RUNS = new ConcurrentHashMap<>();

    private final String runId;

    CollectedTotals(String runId) {
        this.runId = runId;
    }

    /** A copy of what the runs with this id have produced so far, sorted by key. */
    public static SortedMap<Integer, Total> of(String runId) {
        return new TreeMap<>(RUNS.getOrDefault(runId, Map.of()));
    }

    public static void clear(String runId) {
        RUNS.remove(runId);
    }

    static void offer(String runId, Total total) {
        RUNS.computeIfAbsent(runId, id -> new ConcurrentHashMap<>())
                .merge(
                        total.key(),
                        total,
                        (kept, offered) -> offered.count() > kept.count() ? offered : kept);
    }

    @Override
    protected SinkWriter<Total> createWriter(TaskInfo task) {
        return new Writer(runId);
    }

    private static final class Writer implements SinkWriter<Total> {

        private final String runId;

        Writer(String runId) {
            this.runId = runId;
        }

        @Override
        public void write(Total total, Context context) {
            offer(runId, total);
        }

        @Override
        public void flush(boolean endOfInput) {
            // Nothing is buffered.
        }

        @Override
        public void close() {}
    }
}
