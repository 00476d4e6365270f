package io.flinkrecovery.it.cluster;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;

import io.flinkrecovery.it.AllStatesClusterJob;
import io.flinkrecovery.it.cluster.SoakSchedule.Step;
import io.flinkrecovery.testing.FaultControl;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * Runs one {@link SoakSchedule} on a cluster: submits the job, applies each step once the job
 * completed its checkpoint, waits for the job to finish, and compares its results with {@code
 * AllStatesModel}'s. A schedule that fails in any way counts as not exact; the cluster is left
 * ready for the next one (faults cleared, a standby JobManager and a TaskManager running).
 */
final class SoakRunner {

    /** On top of {@link ClusterConfig}: S3 faults fail requests, and checkpoints, in seconds. */
    static final Map<String, String> CLUSTER_CONFIG =
            Map.of(
                    "recovery.s3.socket-timeout", "5 s",
                    "execution.checkpointing.timeout", "8 s",
                    "execution.checkpointing.tolerable-failed-checkpoints", "10",
                    "recovery.storage.inline-threshold", "100b");

    static final int KEYS = 48;
    static final int EVENTS_PER_CHECKPOINT = 150;
    static final int PARALLELISM = 2;

    private final HaCluster cluster;
    private final Path jobJar;

    SoakRunner(HaCluster cluster, Path jobJar) {
        this.cluster = cluster;
        this.jobJar = jobJar;
    }

    /** How one schedule ended. */
    record Result(SoakSchedule schedule, boolean exact, Duration took, String detail) {
        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "seed %d: %s in %.0f s (%s)",
                    schedule.seed(),
                    exact ? "EXACT" : "NOT EXACT",
                    took.toMillis() / 1000.0,
                    detail);
        }
    }

    Result run(SoakSchedule schedule, String name) {
        Instant start = Instant.now();
        Path output = cluster.runDir().resolve("output/" + name + "-seed-" + schedule.seed());
        long events = (long) schedule.checkpoints() * EVENTS_PER_CHECKPOINT;
        JobID job = null;
        boolean finished = false;
        try {
            job =
                    cluster.submit(
                            jobJar,
                            AllStatesClusterJob.class.getName(),
                            AllStatesClusterJob.args(
                                    events, KEYS, EVENTS_PER_CHECKPOINT, PARALLELISM, output));
            for (Step step : schedule.steps()) {
                watch(job).awaitCompleted(step.afterCheckpoint());
                System.out.printf(
                        Locale.ROOT,
                        "  %.0f s: %s%n",
                        Duration.between(start, Instant.now()).toMillis() / 1000.0,
                        step);
                apply(step);
            }
            watch(job).awaitStatus(JobStatus.FINISHED);
            finished = true;
            List<String> mismatches = AllStatesClusterJob.mismatches(output, events, KEYS);
            return new Result(
                    schedule,
                    mismatches.isEmpty(),
                    Duration.between(start, Instant.now()),
                    mismatches.isEmpty()
                            ? "results equal the model"
                            : mismatches.size() + " mismatches, the first: " + mismatches.get(0));
        } catch (Exception | AssertionError e) {
            return new Result(
                    schedule, false, Duration.between(start, Instant.now()), "failed: " + e);
        } finally {
            cleanUp(job, finished);
        }
    }

    private void apply(Step step) throws Exception {
        FaultControl faults = cluster.s3().faults();
        switch (step.kind()) {
            case KILL_TASK_MANAGER:
                cluster.taskManagers().get(0).kill();
                cluster.startTaskManager();
                break;
            case KILL_JOB_MANAGER:
                leader().process().kill();
                cluster.startJobManager();
                break;
            case S3_FAILURES:
                faults.failRandomly(0.02, 0.02, 0.01, step.duration().toMillis());
                hold(step.duration());
                faults.clear();
                break;
            case S3_UNREACHABLE:
                faults.unreachable(true);
                hold(step.duration());
                faults.clear();
                break;
            case S3_LATENCY:
                faults.latency(step.latency());
                hold(step.duration());
                faults.clear();
                break;
            default:
                throw new IllegalStateException("Unknown step " + step);
        }
    }

    /** The fault lasts {@code duration}, whatever the job does meanwhile. */
    private static void hold(Duration duration) {
        await().pollDelay(duration).atMost(duration.plusSeconds(5)).until(() -> true);
    }

    /** The leader, once ZooKeeper names a running one (right after a failover it may not). */
    private HaCluster.JobManager leader() {
        return await().atMost(JobWatch.TIMEOUT)
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .until(cluster::leader, leader -> true);
    }

    /** Watches {@code job} through a running JobManager, which answers for the leader. */
    private JobWatch watch(JobID job) {
        return new JobWatch(cluster.jobManagers().get(0).rest(), job);
    }

    /** Leaves the cluster as the next schedule needs it, whatever happened to this one. */
    private void cleanUp(JobID job, boolean finished) {
        try {
            cluster.s3().faults().clear();
            if (job != null && !finished) {
                cluster.cancel(job);
            }
            if (cluster.jobManagers().size() < 2) {
                cluster.startJobManager();
            }
            if (cluster.taskManagers().isEmpty()) {
                cluster.startTaskManager();
            }
        } catch (Exception e) {
            System.out.println("  Cannot clean up after the schedule: " + e);
        }
    }
}
