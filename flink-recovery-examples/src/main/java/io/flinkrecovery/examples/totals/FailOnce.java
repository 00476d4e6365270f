package io.flinkrecovery.examples.totals;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Passes events through, and throws exactly once per run id: in subtask 0, once it has seen {@code
 * failAfterRecords} events and a checkpoint has completed, so that Flink must restore the job from
 * a checkpoint. Which runs already failed is static, which works in an in-process MiniCluster.
 */
final class FailOnce extends RichMapFunction<Event, Event> implements CheckpointListener {

    private static final long serialVersionUID = 1L;

    private static final Set<String> FAILED_RUNS = ConcurrentHashMap.newKeySet();

    private final String runId;
    private final long failAfterRecords;

    private transient long seen;
    private transient long completedCheckpoint;

    /** {@code failAfterRecords} < 0 never fails. */
    FailOnce(String runId, long failAfterRecords) {
        this.runId = runId;
        this.failAfterRecords = failAfterRecords;
    }

    static boolean hasFailed(String runId) {
        return FAILED_RUNS.contains(runId);
    }

    static void reset(String runId) {
        FAILED_RUNS.remove(runId);
    }

    @Override
    public void open(OpenContext openContext) {
        seen = 0;
        completedCheckpoint = -1;
    }

    @Override
    public Event map(Event event) {
        seen++;
        if (failAfterRecords >= 0
                && seen >= failAfterRecords
                && completedCheckpoint >= 0
                && getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0
                && FAILED_RUNS.add(runId)) {
            throw new InjectedFailure(
                    "Injected failure of run "
                            + runId
                            + " after "
                            + seen
                            + " events in subtask 0 and checkpoint "
                            + completedCheckpoint
                            + "; Flink must restore the job from its latest checkpoint");
        }
        return event;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        // Called in the task thread, like map().
        completedCheckpoint = Math.max(completedCheckpoint, checkpointId);
    }

    /** The failure the demo and the tests inject on purpose. */
    static final class InjectedFailure extends RuntimeException {

        private static final long serialVersionUID = 1L;

        InjectedFailure(String message) {
            super(message);
        }
    }
}
