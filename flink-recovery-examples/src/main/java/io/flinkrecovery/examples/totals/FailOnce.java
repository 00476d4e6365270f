package io.flinkrecovery.examples.totals;

import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Passes events through, and throws exactly once per run id after its subtask has seen {@code
 * failAfterRecords} events and a checkpoint has completed, so Flink has to recover from that
 * checkpoint. The "already failed" mark is static, which works in an in-process MiniCluster.
 */
final class FailOnce extends RichMapFunction<Event, Event> implements CheckpointListener {

    private static final Set<String> FAILED_RUNS = ConcurrentHashMap.newKeySet();

    private final String runId;
    private final long failAfterRecords;

    private transient long seen;
    private transient boolean checkpointCompleted;

    FailOnce(String runId, long failAfterRecords) {
        this.runId = runId;
        this.failAfterRecords = failAfterRecords;
    }

    static boolean hasFailed(String runId) {
        return FAILED_RUNS.contains(runId);
    }

    @Override
    public Event map(Event event) {
        seen++;
        if (checkpointCompleted
                && seen >= failAfterRecords
                && getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0
                && FAILED_RUNS.add(runId)) {
            throw new InjectedFailure(
                    "Injected failure of run " + runId + " after " + seen + " events");
        }
        return event;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        checkpointCompleted = true;
    }

    /** The failure the demo and the tests inject on purpose. */
    static final class InjectedFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InjectedFailure(String message) {
            super(message);
        }
    }
}
