package io.flinkrecovery.it.cluster;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointingStatistics.RestoredCheckpointStatistics;

import io.flinkrecovery.it.AllStatesClusterJob;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A job on a cluster of real processes survives {@code kill -9} of the leading JobManager and of a
 * TaskManager: ZooKeeper HA, two JobManagers, a TaskManager, and our backend and storage on the S3
 * server, each in its own JVM; the leader's kill also with RocksDB's incremental checkpoints on our
 * storage. The job restores exactly the newest checkpoint completed before the kill, and its final
 * results equal {@code AllStatesModel}'s, computed without Flink.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ZooKeeperHaFailoverITCase {

    @RegisterExtension static final HaCluster CLUSTER = new HaCluster(2, 1);

    private static final long EVENTS = 1_800;
    private static final int KEYS = 48;
    private static final int EVENTS_PER_CHECKPOINT = 150;
    private static final int PARALLELISM = 2;

    /** Checkpoints to wait for before a kill, so that the restore has a history to choose from. */
    private static final long CHECKPOINTS_BEFORE_KILL = 3;

    private static Path jobJar;

    @BeforeAll
    static void writeJobJar() throws Exception {
        jobJar = CLUSTER.runDir().resolve("job/all-states.jar");
        List<String> entries =
                JobJar.write(jobJar, AllStatesClusterJob.class, AllStatesClusterJob.jobClasses());
        assertThat(entries)
                .as("the job jar holds the job only; our plugin is in lib/")
                .noneMatch(entry -> entry.startsWith("io/flinkrecovery/backend/"))
                .noneMatch(entry -> entry.startsWith("io/flinkrecovery/storage/"))
                .noneMatch(entry -> entry.startsWith("io/flinkrecovery/fs/"))
                .noneMatch(entry -> entry.startsWith("io/flinkrecovery/objectstore/"))
                .noneMatch(entry -> entry.startsWith("org/apache/flink/"));
    }

    @Test
    @Order(1)
    void standbyJobManagerRestoresTheNewestCheckpointAfterTheLeaderIsKilled() throws Exception {
        Path output = CLUSTER.runDir().resolve("output/leader-killed");
        killLeaderAndFinish("kill -9 of the leading JobManager", submit(output, Map.of()));
        // The next tests need a standby again.
        CLUSTER.startJobManager();

        assertThat(AllStatesClusterJob.mismatches(output, EVENTS, KEYS)).isEmpty();
    }

    @Test
    @Order(2)
    void jobRestoresTheNewestCheckpointOnANewTaskManagerAfterOneIsKilled() throws Exception {
        Path output = CLUSTER.runDir().resolve("output/taskmanager-killed");
        JobID job = submit(output, Map.of());
        JobWatch watch = new JobWatch(CLUSTER.leader().rest(), job);
        watch.awaitCompleted(CHECKPOINTS_BEFORE_KILL);

        JobWatch.Kill kill = watch.killRightAfterACheckpoint(CLUSTER.taskManagers().get(0));
        CLUSTER.startTaskManager();

        RestoredCheckpointStatistics restored =
                RestoredCheckpoints.awaitRecovery("kill -9 of a TaskManager", watch, kill.at());
        watch.awaitStatus(JobStatus.FINISHED);

        RestoredCheckpoints.assertNewestBefore(restored, kill, job);
        assertThat(AllStatesClusterJob.mismatches(output, EVENTS, KEYS)).isEmpty();
    }

    /**
     * The same failover with RocksDB's incremental checkpoints on our S3 storage, as a job that
     * sets {@code state.backend.type: rocksdb} and {@code execution.checkpointing.incremental:
     * true}.
     */
    @Test
    @Order(3)
    void standbyRestoresTheNewestRocksDbIncrementalCheckpointAfterTheLeaderIsKilled()
            throws Exception {
        Path output = CLUSTER.runDir().resolve("output/leader-killed-rocksdb");
        JobID job =
                submit(
                        output,
                        Map.of(
                                "state.backend.type", "rocksdb",
                                "execution.checkpointing.incremental", "true"));
        RestApi newLeader = killLeaderAndFinish("kill -9 of the leading JobManager (RocksDB)", job);

        assertThat(newLeader.raw("/jobs/" + job + "/checkpoints/config"))
                .contains("\"state_backend\":\"EmbeddedRocksDBStateBackend\"")
                .contains("\"checkpoint_storage\":\"S3CheckpointStorage\"");
        assertThat(newLeader.checkpoints(job).getHistory())
                .as(
                        "checkpoints after the restore upload less than the state: they are incremental")
                .anySatisfy(
                        checkpoint ->
                                assertThat(checkpoint.getCheckpointedSize())
                                        .isPositive()
                                        .isLessThan(checkpoint.getStateSize()));
        assertThat(AllStatesClusterJob.mismatches(output, EVENTS, KEYS)).isEmpty();
    }

    /**
     * Invariant 4 on real processes: the S3 secret key is in {@code conf/config.yaml} and nowhere
     * else, not in any log or stdout file of any process (JobManagers, TaskManagers, ZooKeeper, the
     * S3 server), nor in the REST responses an operator's browser receives.
     */
    @Test
    @Order(4)
    void theSecretKeyAppearsInNoLogAndNoRestResponse() throws Exception {
        String secret = CLUSTER.clientConfig().getString("s3.secret-key", null);
        assertThat(secret).as("the cluster's s3.secret-key").isNotBlank();
        List<Path> logs = logFiles(CLUSTER.runDir());
        assertThat(logs).as("log files of the run").hasSizeGreaterThanOrEqualTo(6);
        for (Path log : logs) {
            assertThat(Files.readString(log)).as("%s", log).doesNotContain(secret);
        }
        RestApi rest = CLUSTER.leader().rest();
        List<String> paths =
                new ArrayList<>(List.of("/jobmanager/config", "/jobs/overview", "/taskmanagers"));
        Matcher jobs =
                Pattern.compile("\"jid\":\"([0-9a-f]{32})\"").matcher(rest.raw("/jobs/overview"));
        while (jobs.find()) {
            for (String part : List.of("", "/config", "/exceptions", "/checkpoints/config")) {
                paths.add("/jobs/" + jobs.group(1) + part);
            }
        }
        assertThat(paths).as("REST paths, with the jobs of this class").hasSizeGreaterThan(3);
        for (String path : paths) {
            assertThat(rest.raw(path)).as("GET %s", path).doesNotContain(secret);
        }
    }

    /**
     * The {@code .log} and {@code .out} files under {@code dir}, which the cluster changes while it
     * is walked: a finished job's checkpoints and temporary files vanish meanwhile.
     */
    private static List<Path> logFiles(Path dir) throws IOException {
        List<Path> logs = new ArrayList<>();
        Files.walkFileTree(
                dir,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                        String name = file.getFileName().toString();
                        if (attributes.isRegularFile()
                                && (name.endsWith(".log") || name.endsWith(".out"))) {
                            logs.add(file);
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e)
                            throws IOException {
                        return skipIfDeleted(e);
                    }

                    @Override
                    public FileVisitResult postVisitDirectory(Path directory, IOException e)
                            throws IOException {
                        return e == null ? FileVisitResult.CONTINUE : skipIfDeleted(e);
                    }
                });
        return logs;
    }

    private static FileVisitResult skipIfDeleted(IOException e) throws IOException {
        if (e instanceof NoSuchFileException || e.getCause() instanceof NoSuchFileException) {
            return FileVisitResult.CONTINUE;
        }
        throw e;
    }

    private static JobID submit(Path output, Map<String, String> jobConfig) throws Exception {
        return CLUSTER.submit(
                jobJar,
                AllStatesClusterJob.class.getName(),
                AllStatesClusterJob.args(EVENTS, KEYS, EVENTS_PER_CHECKPOINT, PARALLELISM, output),
                jobConfig);
    }

    /**
     * Kills the leader right after a checkpoint of {@code job}, waits until the standby restored
     * the newest checkpoint and the job finished, and prints the recovery times. Returns the REST
     * API of the new leader.
     */
    private static RestApi killLeaderAndFinish(String scenario, JobID job) {
        HaCluster.JobManager leader = CLUSTER.leader();
        HaCluster.JobManager standby =
                CLUSTER.jobManagers().stream().filter(jm -> jm != leader).findFirst().orElseThrow();
        JobWatch beforeKill = new JobWatch(leader.rest(), job);
        beforeKill.awaitCompleted(CHECKPOINTS_BEFORE_KILL);
        JobWatch.Kill kill = beforeKill.killRightAfterACheckpoint(leader.process());

        JobWatch afterKill = new JobWatch(standby.rest(), job);
        RestoredCheckpointStatistics restored =
                RestoredCheckpoints.awaitRecovery(scenario, afterKill, kill.at());
        afterKill.awaitStatus(JobStatus.FINISHED);

        assertThat(CLUSTER.leader().name()).isEqualTo(standby.name());
        RestoredCheckpoints.assertNewestBefore(restored, kill, job);
        return standby.rest();
    }
}
