package io.flinkrecovery.examples.totals;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A sink that keeps, per run id and key, the total with the highest count. Replayed events after a
 * recovery re-emit the same totals, so the result is idempotent and shows exactly-once state: a
 * lost or doubled update changes the final sum. In-process only (a static registry).
 */
public final class CollectedTotals implements Sink<Total> {

    private static final long serialVersionUID = 1L;

    private static final Map<String, Map<Integer, Total>> RUNS = new ConcurrentHashMap<>();

    private final String runId;

    CollectedTotals(String runId) {
        this.runId = runId;
    }

    /** What the runs with this id have produced so far, by key. */
    public static Map<Integer, Total> of(String runId) {
        return new TreeMap<>(RUNS.getOrDefault(runId, Map.of()));
    }

    public static void clear(String runId) {
        RUNS.remove(runId);
    }

    @Override
    public SinkWriter<Total> createWriter(WriterInitContext context) {
        Map<Integer, Total> totals = RUNS.computeIfAbsent(runId, id -> new ConcurrentHashMap<>());
        return new SinkWriter<>() {
            @Override
            public void write(Total total, Context context) {
                totals.merge(total.key, total, (a, b) -> a.count >= b.count ? a : b);
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }
}
