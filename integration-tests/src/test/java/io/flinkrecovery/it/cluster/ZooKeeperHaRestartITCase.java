package io.flinkrecovery.it.cluster;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointingStatistics.RestoredCheckpointStatistics;

import io.flinkrecovery.it.AllStatesClusterJob;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A job on a cluster with a single JobManager, and no standby, survives what takes its HA services
 * away: {@code kill -9} of the JobManager and a new one started; {@code kill -9} of ZooKeeper and
 * ZooKeeper started again on its data; the whole cluster stopped (TaskManager, JobManager and
 * ZooKeeper, each with SIGTERM as the stop scripts send it) and started again. Each time the job is
 * recovered from ZooKeeper and S3 alone, restores the newest completed checkpoint, and its final
 * results equal {@code AllStatesModel}'s. The S3 server keeps running throughout.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ZooKeeperHaRestartITCase {

    @RegisterExtension static final HaCluster CLUSTER = new HaCluster(1, 1);

    private static final long EVENTS = 2_000;
    private static final int KEYS = 48;
    private static final int EVENTS_PER_CHECKPOINT = 150;
    private static final int PARALLELISM = 2;

    /** Checkpoints to wait for before a fault, so that the restore has a history to choose from. */
    private static final long CHECKPOINTS_BEFORE_FAULT = 3;

    private static Path jobJar;

    @BeforeAll
    static void writeJobJar() throws Exception {
        jobJar = CLUSTER.runDir().resolve("job/all-states.jar");
        JobJar.write(jobJar, AllStatesClusterJob.class, AllStatesClusterJob.jobClasses());
        // ZooKeeperCheckpoints reads the checkpoints' handles from the HA storage on s3://.
        FileSystem.initialize(CLUSTER.clientConfig(), null);
    }

    @Test
    @Order(1)
    void newJobManagerRestoresTheNewestCheckpointAfterTheOnlyOneIsKilled() throws Exception {
        Path output = CLUSTER.runDir().resolve("output/only-jobmanager-killed");
        JobID job = submit(output);
        HaCluster.JobManager only = onlyJobManager();
        JobWatch beforeKill = new JobWatch(only.rest(), job);
        beforeKill.awaitCompleted(CHECKPOINTS_BEFORE_FAULT);

        JobWatch.Kill kill = beforeKill.killRightAfterACheckpoint(only.process());
        HaCluster.JobManager replacement = CLUSTER.startJobManager();

        JobWatch afterKill = new JobWatch(replacement.rest(), job);
        RestoredCheckpointStatistics restored =
                RestoredCheckpoints.awaitRecovery(
                        "kill -9 of the only JobManager, a new one started", afterKill, kill.at());
        afterKill.awaitStatus(JobStatus.FINISHED);

        RestoredCheckpoints.assertNewestBefore(restored, kill, job);
        assertThat(AllStatesClusterJob.mismatches(output, EVENTS, KEYS)).isEmpty();
    }

    /**
     * Without ZooKeeper the JobManager loses its leadership at once (Flink does not tolerate a
     * suspended connection by default), so no checkpoint completes; once ZooKeeper is back the
     * JobManager leads again and recovers the job from what ZooKeeper and S3 hold.
     */
    @Test
    @Order(2)
    void jobRestoresTheNewestCheckpointWhenZooKeeperIsKilledAndRestarted() throws Exception {
        Path output = CLUSTER.runDir().resolve("output/zookeeper-killed");
        JobID job = submit(output);
        JobWatch watch = new JobWatch(onlyJobManager().rest(), job);
        watch.awaitCompleted(CHECKPOINTS_BEFORE_FAULT);

        ZooKeeperProcess zooKeeper = CLUSTER.zooKeeper();
        JobWatch.Kill kill = watch.killRightAfterACheckpoint(zooKeeper.process());
        zooKeeper.restart();

        RestoredCheckpointStatistics restored =
                RestoredCheckpoints.awaitRecovery(
                        "kill -9 of ZooKeeper, started again on its data", watch, kill.at());
        watch.awaitStatus(JobStatus.FINISHED);

        RestoredCheckpoints.assertNewestBefore(restored, kill, job);
        assertThat(AllStatesClusterJob.mismatches(output, EVENTS, KEYS)).isEmpty();
    }

    /**
     * Stops the TaskManager, then the JobManager, as {@code bin/stop-cluster.sh} does, then
     * ZooKeeper; starts them again in the opposite order. The new JobManager finds the job in
     * ZooKeeper and restores the newest checkpoint ZooKeeper names, which is at least the newest
     * the old one reported before the stop (the stop is not instant, so a checkpoint may complete
     * meanwhile, but none is lost).
     */
    @Test
    @Order(3)
    void jobResumesFromItsLastCheckpointAfterTheWholeClusterIsStoppedAndStarted() throws Exception {
        Path output = CLUSTER.runDir().resolve("output/cluster-restarted");
        JobID job = submit(output);
        JobWatch beforeStop = new JobWatch(onlyJobManager().rest(), job);
        beforeStop.awaitCompleted(CHECKPOINTS_BEFORE_FAULT);

        JobWatch.Kill stop =
                beforeStop.rightAfterACheckpoint(
                        "stop the cluster", ZooKeeperHaRestartITCase::stopCluster);
        Duration stopping = Duration.between(stop.at(), Instant.now());
        CLUSTER.zooKeeper().restart();
        ZooKeeperCheckpoints.Newest inZooKeeper =
                ZooKeeperCheckpoints.newest(CLUSTER.clientConfig(), job).orElseThrow();
        HaCluster.JobManager jobManager = CLUSTER.startJobManager();
        CLUSTER.startTaskManager();

        JobWatch afterStart = new JobWatch(jobManager.rest(), job);
        RestoredCheckpointStatistics restored =
                RestoredCheckpoints.awaitRecovery(
                        "stop of the whole cluster, started again", afterStart, stop.at());
        System.out.printf(
                Locale.ROOT,
                "  (stopping TaskManager, JobManager and ZooKeeper took %.1f s of it; ZooKeeper"
                        + " named checkpoint %d, the newest REST showed before the stop was %d)%n",
                stopping.toMillis() / 1000.0,
                inZooKeeper.id(),
                stop.newest().getId());
        afterStart.awaitStatus(JobStatus.FINISHED);

        assertThat(inZooKeeper.id())
                .as("newest checkpoint in ZooKeeper after the stop")
                .isGreaterThanOrEqualTo(stop.newest().getId());
        assertThat(restored.getId()).as("restored checkpoint").isEqualTo(inZooKeeper.id());
        assertThat(restored.isSavepoint()).isFalse();
        assertThat(restored.getExternalPath())
                .isEqualTo(inZooKeeper.externalPointer())
                .isEqualTo(RestoredCheckpoints.pointer(job, inZooKeeper.id()));
        assertThat(AllStatesClusterJob.mismatches(output, EVENTS, KEYS)).isEmpty();
    }

    private static JobID submit(Path output) throws Exception {
        return CLUSTER.submit(
                jobJar,
                AllStatesClusterJob.class.getName(),
                AllStatesClusterJob.args(EVENTS, KEYS, EVENTS_PER_CHECKPOINT, PARALLELISM, output));
    }

    private static HaCluster.JobManager onlyJobManager() {
        assertThat(CLUSTER.jobManagers()).as("running JobManagers").hasSize(1);
        return CLUSTER.jobManagers().get(0);
    }

    /** Stops every process but the S3 server with SIGTERM; returns when the first was signalled. */
    private static Instant stopCluster() {
        Instant start = Instant.now();
        CLUSTER.taskManagers().forEach(ManagedProcess::stop);
        CLUSTER.jobManagers().forEach(jobManager -> jobManager.process().stop());
        CLUSTER.zooKeeper().process().stop();
        return start;
    }
}
