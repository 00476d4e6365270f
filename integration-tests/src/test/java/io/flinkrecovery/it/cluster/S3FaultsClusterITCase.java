package io.flinkrecovery.it.cluster;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointStatistics.CompletedCheckpointStatistics;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointingStatistics.Counts;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointingStatistics.RestoredCheckpointStatistics;

import io.flinkrecovery.it.AllStatesClusterJob;
import io.flinkrecovery.objectstore.ObjectInfo;
import io.flinkrecovery.testing.FaultControl;
import io.flinkrecovery.testing.FaultProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * S3 faults on a cluster of real processes, injected by the S3 server process's fault proxy into
 * every request of the JobManagers and the TaskManager: random failed requests, an unreachable S3,
 * and a JobManager killed while a checkpoint uploads. Each job's results equal {@code
 * AllStatesModel}'s, computed without Flink.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class S3FaultsClusterITCase {

    /** The checkpoint timeout: an outage longer than twice this fails at least two checkpoints. */
    static final Duration CHECKPOINT_TIMEOUT = Duration.ofSeconds(8);

    static final int TOLERABLE_FAILED_CHECKPOINTS = 10;

    @RegisterExtension
    static final HaCluster CLUSTER =
            new HaCluster(
                    2,
                    1,
                    Map.of(
                            // A swallowed request fails after this, not after the 60 s default.
                            "recovery.s3.socket-timeout", "5 s",
                            "execution.checkpointing.timeout",
                                    CHECKPOINT_TIMEOUT.toSeconds() + " s",
                            "execution.checkpointing.tolerable-failed-checkpoints",
                                    String.valueOf(TOLERABLE_FAILED_CHECKPOINTS),
                            // The restored checkpoint stays retained while the test validates it.
                            "execution.checkpointing.num-retained", "5",
                            // Segments and manifests are objects, so a checkpoint uploads.
                            "recovery.storage.inline-threshold", "100b"));

    private static final int KEYS = 48;
    private static final int EVENTS_PER_CHECKPOINT = 150;
    private static final int PARALLELISM = 2;
    private static final long CHECKPOINTS_BEFORE_FAULTS = 3;

    private static Path jobJar;

    @BeforeAll
    static void writeJobJar() throws Exception {
        jobJar = CLUSTER.runDir().resolve("job/all-states.jar");
        JobJar.write(jobJar, AllStatesClusterJob.class, AllStatesClusterJob.jobClasses());
    }

    @AfterEach
    void clearFaults() {
        CLUSTER.s3().faults().clear();
    }

    @Test
    @Order(1)
    void jobKeepsCheckpointingWhileFivePercentOfRequestsFail() throws Exception {
        long events = 30 * EVENTS_PER_CHECKPOINT;
        Path output = CLUSTER.runDir().resolve("output/request-failures");
        JobID job = submit(output, events);
        RestApi rest = CLUSTER.leader().rest();
        JobWatch watch = new JobWatch(rest, job);
        watch.awaitCompleted(CHECKPOINTS_BEFORE_FAULTS);
        FaultControl faults = CLUSTER.s3().faults();

        Map<String, String> before = faults.state();
        Counts countsBefore = counts(rest, job);
        Instant start = Instant.now();
        faults.failRandomly(0.02, 0.02, 0.01, 9);
        // Until each kind of fault hit a request and five checkpoints completed meanwhile.
        await().alias("each kind of fault injected and 5 checkpoints completed")
                .atMost(Duration.ofMinutes(4))
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(
                        () ->
                                injected(faults, before, FaultProxy.SLOW_DOWNS) > 0
                                        && injected(faults, before, FaultProxy.RESETS) > 0
                                        && injected(faults, before, FaultProxy.TIMEOUTS) > 0
                                        && completed(rest, job)
                                                >= countsBefore.getNumberCompletedCheckpoints()
                                                        + 5);
        faults.clear();
        Duration window = Duration.between(start, Instant.now());
        Counts countsAfter = counts(rest, job);
        System.out.printf(
                Locale.ROOT,
                "During %.1f s of 5%% failed S3 requests: %d checkpoints completed, %d failed;"
                        + " %d requests, %d answered 503 SlowDown, %d reset, %d timed out%n",
                window.toMillis() / 1000.0,
                countsAfter.getNumberCompletedCheckpoints()
                        - countsBefore.getNumberCompletedCheckpoints(),
                countsAfter.getNumberFailedCheckpoints()
                        - countsBefore.getNumberFailedCheckpoints(),
                injected(faults, before, FaultProxy.REQUESTS),
                injected(faults, before, FaultProxy.SLOW_DOWNS),
                injected(faults, before, FaultProxy.RESETS),
                injected(faults, before, FaultProxy.TIMEOUTS));
        watch.awaitStatus(JobStatus.FINISHED);

        assertThat(countsAfter.getNumberRestoredCheckpoints())
                .as("restores: the SDK's retries absorbed every fault")
                .isZero();
        assertThat(AllStatesClusterJob.mismatches(output, events, KEYS)).isEmpty();
    }

    @Test
    @Order(2)
    void checkpointsFailWithinTheToleranceWhileS3IsUnreachableAndCompleteWhenItReturns()
            throws Exception {
        long events = 20 * EVENTS_PER_CHECKPOINT;
        Path output = CLUSTER.runDir().resolve("output/unreachable");
        JobID job = submit(output, events);
        RestApi rest = CLUSTER.leader().rest();
        JobWatch watch = new JobWatch(rest, job);
        CompletedCheckpointStatistics lastBefore = watch.awaitCompleted(CHECKPOINTS_BEFORE_FAULTS);
        FaultControl faults = CLUSTER.s3().faults();

        Counts countsBefore = counts(rest, job);
        Instant down = Instant.now();
        faults.unreachable(true);
        // Longer than two checkpoint timeouts: checkpoints that started during it must fail.
        await().alias("two checkpoints failed while S3 is unreachable")
                .atMost(Duration.ofMinutes(3))
                .pollDelay(CHECKPOINT_TIMEOUT.multipliedBy(2))
                .pollInterval(Duration.ofMillis(250))
                .ignoreExceptions()
                .until(
                        () ->
                                counts(rest, job).getNumberFailedCheckpoints()
                                        >= countsBefore.getNumberFailedCheckpoints() + 2);
        Counts countsDown = counts(rest, job);
        faults.unreachable(false);
        Instant up = Instant.now();
        long refused = faults.count(FaultProxy.REFUSED);

        CompletedCheckpointStatistics next = watch.awaitCompleted(latestCompletedId(rest, job) + 1);
        Duration outage = Duration.between(down, up);
        Duration backToCompleted =
                Duration.ofMillis(next.getLatestAckTimestamp() - up.toEpochMilli());
        System.out.printf(
                Locale.ROOT,
                "S3 unreachable for %.1f s (%d connections reset): %d checkpoints failed, %d"
                        + " completed; checkpoint %d completed %.1f s after S3 returned%n",
                outage.toMillis() / 1000.0,
                refused,
                countsDown.getNumberFailedCheckpoints() - countsBefore.getNumberFailedCheckpoints(),
                countsDown.getNumberCompletedCheckpoints()
                        - countsBefore.getNumberCompletedCheckpoints(),
                next.getId(),
                backToCompleted.toMillis() / 1000.0);
        watch.awaitStatus(JobStatus.FINISHED);

        assertThat(countsDown.getNumberCompletedCheckpoints())
                .as("checkpoints completed while S3 was unreachable (one may have been finishing)")
                .isLessThanOrEqualTo(countsBefore.getNumberCompletedCheckpoints() + 1);
        assertThat(
                        countsDown.getNumberFailedCheckpoints()
                                - countsBefore.getNumberFailedCheckpoints())
                .as("failed checkpoints, within the tolerance")
                .isBetween(2L, (long) TOLERABLE_FAILED_CHECKPOINTS);
        assertThat(counts(rest, job).getNumberRestoredCheckpoints())
                .as("restores: the failures stayed within the tolerance, so the job kept running")
                .isZero();
        assertThat(next.getId()).isGreaterThan(lastBefore.getId());
        assertThat(AllStatesClusterJob.mismatches(output, events, KEYS)).isEmpty();
    }

    @Test
    @Order(3)
    void killingTheLeaderDuringAnUploadNeverRestoresOrReferencesTheHalfWrittenCheckpoint()
            throws Exception {
        long events = 20 * EVENTS_PER_CHECKPOINT;
        Path output = CLUSTER.runDir().resolve("output/killed-mid-upload");
        JobID job = submit(output, events);
        HaCluster.JobManager leader = CLUSTER.leader();
        HaCluster.JobManager standby =
                CLUSTER.jobManagers().stream().filter(jm -> jm != leader).findFirst().orElseThrow();
        JobWatch beforeKill = new JobWatch(leader.rest(), job);
        beforeKill.awaitCompleted(CHECKPOINTS_BEFORE_FAULTS);
        ClusterCheckpoints checkpoints = ClusterCheckpoints.of(CLUSTER.s3());

        // Every request takes 700 ms, so an upload takes seconds and the kill lands inside one.
        CLUSTER.s3().faults().latency(Duration.ofMillis(700));
        UploadKill kill = UploadKill.during(leader, job, checkpoints);
        CLUSTER.s3().faults().clear();
        System.out.println(kill);

        JobWatch afterKill = new JobWatch(standby.rest(), job);
        RestoredCheckpointStatistics restored = afterKill.awaitRestoredSince(kill.at());
        List<ObjectInfo> leftBehind = new ArrayList<>();
        for (ObjectInfo object : checkpoints.unreferenced(job)) {
            // Written before the restore (Last-Modified has whole seconds): not by the new run.
            if (object.lastModified().toEpochMilli() < restored.getRestoreTimestamp() - 1000) {
                leftBehind.add(object);
            }
        }
        Instant tasksUp = afterKill.awaitTasksUp();
        CompletedCheckpointStatistics next = afterKill.awaitCompleted(kill.inProgressId() + 1);
        CompletedCheckpointStatistics second = afterKill.awaitCompleted(next.getId() + 1);
        System.out.println(
                RecoveryTimes.of(
                        "kill -9 of the leading JobManager during an upload",
                        kill.at(),
                        restored,
                        tasksUp,
                        next));

        assertThat(restored.getId())
                .as("restored: the newest checkpoint completed before the kill")
                .isEqualTo(kill.newestCompleted().getId());
        assertThat(checkpoints.hasMetadata(job, kill.inProgressId()))
                .as("_metadata of the half-written checkpoint %d", kill.inProgressId())
                .isFalse();
        assertThat(leftBehind)
                .as("objects the half-written checkpoint left behind")
                .extracting(o -> o.location().toString())
                .anyMatch(key -> key.contains("/chk-" + kill.inProgressId() + "/"));
        for (long id : List.of(restored.getId(), next.getId(), second.getId())) {
            assertThat(checkpoints.validate(ClusterCheckpoints.pointer(job, id)).findings())
                    .as("findings of checkpoint %d", id)
                    .isEmpty();
        }
        List<String> unreferencedNow =
                checkpoints.unreferenced(job).stream().map(o -> o.location().toString()).toList();
        for (ObjectInfo object : leftBehind) {
            if (checkpoints.exists(object.location())) {
                assertThat(unreferencedNow)
                        .as(
                                "left behind by checkpoint %d, so never referenced",
                                kill.inProgressId())
                        .contains(object.location().toString());
            }
        }
        System.out.printf(
                "Checkpoint %d, killed mid-upload, left %d objects behind; none is referenced by"
                        + " checkpoints %d, %d and %d, which validate%n",
                kill.inProgressId(),
                leftBehind.size(),
                restored.getId(),
                next.getId(),
                second.getId());

        afterKill.awaitStatus(JobStatus.FINISHED);
        CLUSTER.startJobManager();
        assertThat(AllStatesClusterJob.mismatches(output, events, KEYS)).isEmpty();
    }

    private static JobID submit(Path output, long events) throws Exception {
        return CLUSTER.submit(
                jobJar,
                AllStatesClusterJob.class.getName(),
                AllStatesClusterJob.args(events, KEYS, EVENTS_PER_CHECKPOINT, PARALLELISM, output));
    }

    private static long injected(FaultControl faults, Map<String, String> before, String counter) {
        return faults.count(counter) - Long.parseLong(before.get(counter));
    }

    private static long completed(RestApi rest, JobID job) throws Exception {
        return rest.checkpoints(job).getCounts().getNumberCompletedCheckpoints();
    }

    private static long latestCompletedId(RestApi rest, JobID job) throws Exception {
        CompletedCheckpointStatistics latest =
                rest.checkpoints(job).getLatestCheckpoints().getCompletedCheckpointStatistics();
        return latest == null ? 0 : latest.getId();
    }

    /** The checkpoint counts, retried while REST does not answer. */
    private static Counts counts(RestApi rest, JobID job) {
        return await().atMost(JobWatch.TIMEOUT)
                .pollInterval(Duration.ofMillis(100))
                .ignoreExceptions()
                .until(() -> rest.checkpoints(job).getCounts(), c -> c != null);
    }
}
