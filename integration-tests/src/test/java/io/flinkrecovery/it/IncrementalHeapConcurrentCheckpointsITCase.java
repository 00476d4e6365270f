package io.flinkrecovery.it;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.FailedCheckpointStats;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.state.IncrementalKeyedStateHandle.HandleAndLocalPath;
import org.apache.flink.runtime.state.IncrementalRemoteKeyedStateHandle;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.filesystem.FileStateHandle;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.testutils.logging.LoggerAuditingExtension;

import io.flinkrecovery.backend.snapshot.SegmentFormat;
import io.flinkrecovery.inspect.Finding;
import io.flinkrecovery.inspect.InspectionReport;
import io.flinkrecovery.inspect.RestoreInspector;
import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectStore;
import io.flinkrecovery.testing.EmbeddedS3Extension;
import org.apache.logging.log4j.core.LogEvent;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.event.Level;

import java.io.DataInputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Flink's default retention (one checkpoint) with two concurrent checkpoints every 50 ms and
 * compaction rewriting every key group at every chance: the JobManager subsumes and deletes shared
 * segments while later checkpoints are already being taken, and completion notices arrive after the
 * next barrier. No checkpoint may be rejected or fail, through a cancelled run and a NO_CLAIM
 * restore (whose first checkpoints are full), and the results are exact.
 */
class IncrementalHeapConcurrentCheckpointsITCase {

    private static final int CHECKPOINTS_PER_RUN = 100;

    @RegisterExtension
    @Order(1)
    static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("it-heap-concurrent");

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    () ->
                            TestClusters.miniCluster(
                                    S3,
                                    2,
                                    // Every checkpoint's outcome, not only the last ten.
                                    Map.of("web.checkpoints.history", "1000")));

    /**
     * The JobMaster logs a rejected acknowledgement as a warning and lets the checkpoint expire.
     */
    @RegisterExtension
    final LoggerAuditingExtension runtimeWarnings =
            new LoggerAuditingExtension("org.apache.flink.runtime", Level.WARN);

    @Test
    void noCheckpointIsRejectedUnderDefaultRetention(@InjectMiniCluster MiniCluster flink)
            throws Exception {
        String runId = "heap-concurrent";
        Configuration config = TestClusters.s3Storage(S3, runId);
        TestClusters.useBackend(config, "incremental-heap");
        config.setString("execution.checkpointing.interval", "50ms");
        config.setString("execution.checkpointing.min-pause", "0ms");
        config.setString("execution.checkpointing.max-concurrent-checkpoints", "2");
        config.setString("execution.checkpointing.num-retained", "1");
        config.setString("execution.checkpointing.tolerable-failed-checkpoints", "0");
        config.setString("recovery.backend.compaction.max-deltas", "3");
        config.setString("recovery.backend.compaction.rewrite-interval", "1");
        // Segments are objects, which the JobManager really deletes, not bytes inlined in
        // _metadata.
        config.setString("recovery.storage.inline-threshold", "100b");
        AllStatesJob job = AllStatesJob.of(runId, 2L * CHECKPOINTS_PER_RUN * 100, 300, 100);
        job.reset();
        // Each request 20 ms, as to a remote store: a checkpoint takes longer than the interval,
        // so the next one starts before the JobManager completed (and the task heard of) this one.
        S3.faults().setLatency(Duration.ofMillis(20));

        JobID first = job.start(config, 2);
        Checkpoints.awaitStats(
                flink,
                first,
                CHECKPOINTS_PER_RUN + " checkpoints",
                s -> Checkpoints.completed(s) >= CHECKPOINTS_PER_RUN);
        HeapRuns.Retained retained = HeapRuns.cancel(flink, config, job, first);
        CheckpointStatsSnapshot firstStats = Checkpoints.stats(flink, first);

        Configuration noClaim = new Configuration(config);
        noClaim.setString("execution.state-recovery.path", retained.pointer());
        noClaim.setString("execution.state-recovery.claim-mode", "NO_CLAIM");
        JobID second = job.start(noClaim, 2);
        JobRuns.awaitStatus(flink, second, JobStatus.FINISHED);
        CheckpointStatsSnapshot secondStats = Checkpoints.stats(flink, second);

        assertThat(JobRuns.restoredFrom(flink, second).getExternalPath())
                .isEqualTo(retained.pointer());
        HeapRuns.assertExactlyOnce(job, second, 2);
        for (CheckpointStatsSnapshot stats : List.of(firstStats, secondStats)) {
            assertThat(failuresOtherThanLifecycle(stats))
                    .as("checkpoints that failed other than by the job's lifecycle")
                    .isEmpty();
        }
        assertThat(Checkpoints.completed(secondStats))
                .as("checkpoints of the restored run")
                .isGreaterThan(CHECKPOINTS_PER_RUN / 2);
        assertThat(rejectedAcknowledgements())
                .as("acknowledgements the JobManager could not register")
                .isEmpty();

        // What a wrongly deleted segment does to run 1's retained checkpoint: the inspector calls
        // it invalid and names the object (run 2 was NO_CLAIM, so it is still intact).
        ObjectStore store = HeapRuns.store(config);
        Map<ObjectLocation, Long> segments = segmentsWithWriter(store, retained);
        assertThat(segments).as("segments of %s", retained.pointer()).isNotEmpty();
        RestoreInspector inspector = new RestoreInspector(store);
        assertThat(inspector.validate(retained.pointer(), false).isValid()).isTrue();
        ObjectLocation gone = segments.keySet().iterator().next();
        store.deleteBatch(List.of(gone));
        InspectionReport report = inspector.validate(retained.pointer(), false);
        assertThat(report.isValid()).isFalse();
        assertThat(report.findings())
                .extracting(Finding::kind, Finding::object)
                .containsExactly(tuple(Finding.Kind.MISSING_OBJECT, gone.toString()));
        long reused = segments.values().stream().filter(id -> id < retained.checkpointId()).count();
        System.out.printf(
                "Concurrent checkpoints: run 1 %d completed, %d failed; run 2 (NO_CLAIM) %d"
                        + " completed, %d failed; checkpoint %d references %d segments, %d of"
                        + " them written by earlier checkpoints%n",
                Checkpoints.completed(firstStats),
                Checkpoints.failed(firstStats),
                Checkpoints.completed(secondStats),
                Checkpoints.failed(secondStats),
                retained.checkpointId(),
                segments.size(),
                reused);
    }

    /**
     * Failed checkpoints, except those the job's lifecycle ends: dropped because a newer one
     * completed first, aborted or declined by the cancellation or the end of a task, or triggered
     * before every task was ready. A checkpoint whose acknowledgement the JobManager rejected would
     * expire, which is not among them.
     */
    private static List<String> failuresOtherThanLifecycle(CheckpointStatsSnapshot stats) {
        List<String> failures = new ArrayList<>();
        for (AbstractCheckpointStats checkpoint : stats.getHistory().getCheckpoints()) {
            if (checkpoint instanceof FailedCheckpointStats) {
                String message = ((FailedCheckpointStats) checkpoint).getFailureMessage();
                if (message == null || LIFECYCLE.stream().noneMatch(message::contains)) {
                    failures.add(checkpoint.getCheckpointId() + ": " + message);
                }
            }
        }
        return failures;
    }

    private static final List<String> LIFECYCLE =
            List.of(
                    "Checkpoint has been subsumed",
                    "received a checkpoint request for unknown task",
                    "Checkpoint was declined (tasks not ready)",
                    "Checkpoint Coordinator is suspending",
                    "Checkpoint was declined (task is closing)",
                    "Not all required tasks are currently running");

    /** The segment objects a checkpoint references, with the checkpoint that wrote each. */
    private static Map<ObjectLocation, Long> segmentsWithWriter(
            ObjectStore store, HeapRuns.Retained checkpoint) throws Exception {
        CheckpointMetadata metadata;
        try (DataInputStream in =
                new DataInputStream(
                        store.open(ObjectLocation.parse(checkpoint.pointer() + "/_metadata")))) {
            metadata =
                    org.apache.flink.runtime.checkpoint.Checkpoints.loadCheckpointMetadata(
                            in,
                            IncrementalHeapConcurrentCheckpointsITCase.class.getClassLoader(),
                            checkpoint.pointer());
        }
        Map<ObjectLocation, Long> segments = new LinkedHashMap<>();
        for (OperatorState operator : metadata.getOperatorStates()) {
            for (OperatorSubtaskState subtask : operator.getStates()) {
                for (KeyedStateHandle handle : subtask.getManagedKeyedState()) {
                    for (HandleAndLocalPath shared :
                            ((IncrementalRemoteKeyedStateHandle) handle).getSharedState()) {
                        if (!(shared.getHandle() instanceof FileStateHandle)) {
                            continue;
                        }
                        ObjectLocation segment =
                                ObjectLocation.parse(
                                        ((FileStateHandle) shared.getHandle())
                                                .getFilePath()
                                                .toString());
                        segments.put(segment, writtenBy(store, segment));
                    }
                }
            }
        }
        return segments;
    }

    /** The checkpoint id in a segment's header (magic, version, checkpoint id). */
    private static long writtenBy(ObjectStore store, ObjectLocation segment) throws Exception {
        try (DataInputStream in = new DataInputStream(store.open(segment))) {
            assertThat(in.readInt()).as("magic of " + segment).isEqualTo(SegmentFormat.MAGIC);
            in.readInt();
            return in.readLong();
        }
    }

    private List<String> rejectedAcknowledgements() {
        List<String> rejected = new ArrayList<>();
        for (LogEvent event : runtimeWarnings.getEvents()) {
            for (Throwable t = event.getThrown(); t != null; t = t.getCause()) {
                if (String.valueOf(t.getMessage()).contains("Attempt to reference unknown state")) {
                    rejected.add(event.getMessage().getFormattedMessage() + ": " + t.getMessage());
                }
            }
        }
        return rejected;
    }
}
