package io.flinkrecovery.benchmarks;

import io.flinkrecovery.objectstore.RequestCounters;
import io.flinkrecovery.objectstore.RequestKind;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * What {@link BackendComparison} measured for one backend in its checkpoint and restore phase: per
 * checkpoint the bytes changed, the requests sent and Flink's timings; then each restore.
 */
final class CheckpointRun {

    final Backend backend;

    /** Submit -> running of the job that loads the state, without any state to restore. */
    double startSeconds;

    RequestCounters.Snapshot initialRequests;
    long initialId;
    final List<Long> changedBytes = new ArrayList<>();
    final List<RequestCounters.Snapshot> requests = new ArrayList<>();
    final List<Long> ids = new ArrayList<>();

    /**
     * Per checkpoint, the requests sent while the keys changed before it, outside the checkpoint:
     * what a backend whose working files live on the object store writes as it runs.
     */
    final List<RequestCounters.Snapshot> requestsWhileUpdating = new ArrayList<>();

    /** Flink's statistics by checkpoint id; a checkpoint its history dropped has none. */
    final Map<Long, CheckpointTimes> times = new HashMap<>();

    /** Restore (a): submit -> every subtask running with its state. */
    final List<Double> restoreSeconds = new ArrayList<>();

    /** Restore (b): submit -> the first {@code restoreRecords} records processed. */
    final List<Double> caughtUpSeconds = new ArrayList<>();

    /** The requests of the first restore. */
    RequestCounters.Snapshot restoreRequests;

    /** Peak heap above the baseline during the first restore's (a). */
    long restorePeakHeapBytes;

    /** What a restore at {@link BackendComparison#RESCALED_PARALLELISM} read, and its plan. */
    RequestCounters.Snapshot rescaleRequests;

    double rescaleSeconds;
    long rescalePlannedMaxBytes;
    long stateBytes;

    long verifiedPresent;
    long verifiedMissing;
    int rawObjects;
    long rawBytes;
    double rawSeconds;

    CheckpointRun(Backend backend) {
        this.backend = backend;
    }

    List<Long> uploaded() {
        return requests.stream().map(RequestCounters.Snapshot::bytesOut).toList();
    }

    List<Long> uploadedWhileUpdating() {
        return requestsWhileUpdating.stream().map(RequestCounters.Snapshot::bytesOut).toList();
    }

    /** Object writes (single PUTs and multipart uploads) per checkpoint. */
    List<Double> writes() {
        return requests.stream().map(CheckpointRun::writes).toList();
    }

    /** Writes per subtask per checkpoint, without the JobManager's one {@code _metadata}. */
    List<Double> writesPerSubtask(int parallelism) {
        return writes().stream().map(w -> (w - 1) / parallelism).toList();
    }

    /** The mean number of requests of {@code kind} per checkpoint. */
    double meanRequests(RequestKind kind) {
        return Stats.mean(requests.stream().map(r -> r.requests(kind)).toList());
    }

    List<Long> endToEndMillis() {
        return measured(CheckpointTimes::endToEndMillis);
    }

    /** Per checkpoint, the longest of the subtasks' synchronous phases. */
    List<Long> syncMillis() {
        return measured(CheckpointTimes::syncMillis);
    }

    /** Per checkpoint, the longest of the subtasks' asynchronous phases. */
    List<Long> asyncMillis() {
        return measured(CheckpointTimes::asyncMillis);
    }

    List<Long> checkpointedSizes() {
        return measured(CheckpointTimes::checkpointedSize);
    }

    /** The raw GET time of as many bytes as the first restore read, at the raw GET's speed. */
    /** The restored state's bytes over the rescaled parallelism: one subtask's fair share. */
    double rescaleShare() {
        return stateBytes / (double) BackendComparison.RESCALED_PARALLELISM;
    }

    double rawSecondsOfRestoreBytes() {
        return rawSeconds * restoreRequests.bytesIn() / Math.max(1, rawBytes);
    }

    private List<Long> measured(ToLongFunction<CheckpointTimes> figure) {
        return ids.stream()
                .map(times::get)
                .filter(Objects::nonNull)
                .map(figure::applyAsLong)
                .toList();
    }

    /** Single PUTs plus multipart uploads (a create and a complete request each). */
    static double writes(RequestCounters.Snapshot requests) {
        return requests.requests(RequestKind.PUT)
                + requests.requests(RequestKind.MULTIPART_CONTROL) / 2.0;
    }
}
