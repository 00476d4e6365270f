package io.flinkrecovery.benchmarks;

import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.checkpoint.SubtaskStateStats;
import org.apache.flink.runtime.checkpoint.TaskStateStats;

import java.util.function.ToLongFunction;

/**
 * What Flink's checkpoint statistics say about one completed checkpoint: its end-to-end duration,
 * the slowest subtask's synchronous and asynchronous phases, and Flink's checkpointed size.
 */
record CheckpointTimes(
        long endToEndMillis, long syncMillis, long asyncMillis, long checkpointedSize) {

    static CheckpointTimes of(CompletedCheckpointStats stats) {
        return new CheckpointTimes(
                stats.getEndToEndDuration(),
                slowest(stats, SubtaskStateStats::getSyncCheckpointDuration),
                slowest(stats, SubtaskStateStats::getAsyncCheckpointDuration),
                stats.getCheckpointedSize());
    }

    private static long slowest(
            CompletedCheckpointStats stats, ToLongFunction<SubtaskStateStats> phase) {
        long slowest = 0;
        for (TaskStateStats task : stats.getAllTaskStateStats()) {
            for (SubtaskStateStats subtask : task.getSubtaskStats()) {
                if (subtask != null) {
                    slowest = Math.max(slowest, phase.applyAsLong(subtask));
                }
            }
        }
        return slowest;
    }
}
