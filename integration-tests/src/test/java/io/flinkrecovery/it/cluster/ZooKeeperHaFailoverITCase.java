package io.flinkrecovery.it.cluster;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.runtime.messages.webmonitor.JobDetails;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointingStatistics.RestoredCheckpointStatistics;

import io.flinkrecovery.compat.FlinkConfFile;
import io.flinkrecovery.examples.totals.Event;
import io.flinkrecovery.inspect.cli.InspectCli;
import io.flinkrecovery.it.AllStatesClusterJob;
import io.flinkrecovery.it.EventRows;
import io.flinkrecovery.objectstore.ObjectInfo;
import io.flinkrecovery.objectstore.PendingUpload;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A job on a cluster of real processes survives {@code kill -9} of the leading JobManager and of a
 * TaskManager: ZooKeeper HA, two JobManagers, a TaskManager, and our backend and storage on the S3
 * server, each in its own JVM; the leader's kill also with RocksDB's incremental checkpoints on our
 * storage; and one job through three kills, whose {@code FileSink} on {@code s3://} commits every
 * row exactly once. The job restores exactly the newest checkpoint completed before the kill, and
 * its final results equal {@code AllStatesModel}'s, computed without Flink.
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

    /**
     * One job survives three kills, and its {@code FileSink} on {@code s3://}, which writes through
     * our file system's recoverable writer, commits every input event as a row exactly once: a
     * TaskManager killed right after a checkpoint, the leading JobManager killed right after a
     * checkpoint (the standby takes over from ZooKeeper), and the new TaskManager killed while a
     * checkpoint uploads. Each restore uses the newest checkpoint completed before its kill, and
     * the job's results equal the model's. Only committed part files are visible in the output; the
     * multipart uploads and tail objects the kills left behind are removed by the inspector's
     * {@code leftovers}.
     */
    @Test
    @Order(2)
    void fileSinkCommitsEveryRowExactlyOnceThroughThreeKills() throws Exception {
        Path output = CLUSTER.runDir().resolve("output/three-kills");
        FileSinkOutput rows =
                FileSinkOutput.of(CLUSTER.s3(), "s3://" + HaCluster.BUCKET + "/rows/three-kills");
        JobID job =
                CLUSTER.submit(
                        jobJar,
                        AllStatesClusterJob.class.getName(),
                        AllStatesClusterJob.args(
                                EVENTS,
                                KEYS,
                                EVENTS_PER_CHECKPOINT,
                                PARALLELISM,
                                output,
                                rows.prefix()));

        JobWatch watch = new JobWatch(CLUSTER.leader().rest(), job);
        watch.awaitCompleted(CHECKPOINTS_BEFORE_KILL);
        JobWatch.Kill kill = watch.killRightAfterACheckpoint(CLUSTER.taskManagers().get(0));
        CLUSTER.startTaskManager();
        RestoredCheckpointStatistics restored =
                RestoredCheckpoints.awaitRecovery("kill -9 of a TaskManager", watch, kill.at());
        RestoredCheckpoints.assertNewestBefore(restored, kill, job);

        RestApi newLeader = killLeader("kill -9 of the leading JobManager (FileSink)", job);

        // Every request takes 700 ms, so an upload takes seconds and the kill lands inside one.
        CLUSTER.s3().faults().latency(Duration.ofMillis(700));
        UploadKill uploadKill;
        try {
            uploadKill =
                    UploadKill.during(
                            "a TaskManager",
                            CLUSTER.taskManagers().get(0),
                            newLeader,
                            job,
                            ClusterCheckpoints.of(CLUSTER.s3()));
        } finally {
            CLUSTER.s3().faults().clear();
        }
        System.out.println(uploadKill);
        CLUSTER.startTaskManager();
        JobWatch afterKills = new JobWatch(newLeader, job);
        RestoredCheckpointStatistics restoredMidUpload =
                RestoredCheckpoints.awaitRecovery(
                        "kill -9 of a TaskManager during an upload", afterKills, uploadKill.at());
        afterKills.awaitStatus(JobStatus.FINISHED);
        // The next test needs a standby again.
        CLUSTER.startJobManager();

        assertThat(restoredMidUpload.getId())
                .as(
                        "restored: the newest checkpoint completed before the kill, or the one in"
                                + " progress if all its acknowledgements had arrived")
                .isBetween(uploadKill.newestCompleted().getId(), uploadKill.inProgressId());
        assertThat(AllStatesClusterJob.mismatches(output, EVENTS, KEYS)).isEmpty();
        assertRowsExactlyOnceAndSweepLeftovers(rows);
    }

    /**
     * The committed part files of {@code rows} hold every event's row exactly once, in its bucket;
     * every other object is a hidden tail object; the inspector's {@code leftovers --delete}, run
     * as an operator would with the cluster's {@code config.yaml}, removes every pending upload and
     * tail object, and leaves the committed files alone.
     */
    private static void assertRowsExactlyOnceAndSweepLeftovers(FileSinkOutput rows)
            throws Exception {
        List<ObjectInfo> objects = rows.objects();
        List<ObjectInfo> tails = objects.stream().filter(FileSinkOutput::hidden).toList();
        List<ObjectInfo> committed =
                objects.stream().filter(o -> !FileSinkOutput.hidden(o)).toList();
        assertThat(committed)
                .as("visible objects: committed part files in bucket directories")
                .isNotEmpty()
                .allSatisfy(
                        o ->
                                assertThat(o.location().toString())
                                        .matches(
                                                Pattern.quote(rows.prefix())
                                                        + "bucket-[0-2]/part-[0-9a-f-]+-[0-9]+"));
        assertThat(tails)
                .as("hidden objects: tail objects of in-progress files")
                .allSatisfy(
                        o ->
                                assertThat(o.location().name())
                                        .matches("\\.part-[0-9a-f-]+-[0-9]+\\.tail\\.[0-9a-f-]+"));

        Map<String, Integer> copies = new HashMap<>();
        Map<String, Integer> filesPerBucket = new TreeMap<>();
        for (ObjectInfo file : committed) {
            String bucket = file.location().parent().name();
            filesPerBucket.merge(bucket, 1, Integer::sum);
            for (String row : rows.rows(file)) {
                copies.merge(row, 1, Integer::sum);
                long sequence = Long.parseLong(row.substring(0, row.indexOf(',')));
                assertThat(bucket)
                        .as("bucket of row %s", row)
                        .isEqualTo(EventRows.bucketOf(sequence));
            }
        }
        List<String> expected = new ArrayList<>();
        for (long i = 0; i < EVENTS; i++) {
            expected.add(EventRows.row(Event.at(i, KEYS)));
        }
        Map<String, Integer> notOnce = new TreeMap<>();
        for (String row : expected) {
            int n = copies.getOrDefault(row, 0);
            if (n != 1) {
                notOnce.put(row, n);
            }
        }
        assertThat(notOnce).as("rows of events not committed exactly once (row: copies)").isEmpty();
        Set<String> unexpected = new TreeSet<>(copies.keySet());
        expected.forEach(unexpected::remove);
        assertThat(unexpected).as("committed rows of no event").isEmpty();
        assertThat(filesPerBucket.get(EventRows.OPEN_BUCKET))
                .as("files of %s, open across checkpoints", EventRows.OPEN_BUCKET)
                .isLessThan(filesPerBucket.get("bucket-0"));

        List<String> committedKeys = committed.stream().map(o -> o.location().key()).toList();
        List<PendingUpload> pending = rows.pendingUploads();
        assertThat(pending)
                .as("pending uploads left by the kills")
                .extracting(u -> u.location().key())
                .doesNotContainAnyElementsOf(committedKeys);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit =
                InspectCli.run(
                        new String[] {
                            "leftovers",
                            rows.prefix(),
                            "--grace",
                            "0 s",
                            "--delete",
                            "--conf",
                            CLUSTER.confDir().toString(),
                            // The server's own endpoint: the cluster's goes through the fault
                            // proxy.
                            "--endpoint",
                            CLUSTER.s3().directEndpoint()
                        },
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        Map.of());
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(exit)
                .as("exit code of leftovers; stdout: %s; stderr: %s", printed, err)
                .isZero();
        assertThat(printed)
                .contains(
                        String.format(
                                "%d multipart upload(s) never completed and %d tail object(s),",
                                pending.size(), tails.size()))
                .contains("removed");
        // The kills may leave no upload or no tail pending: each one left is named.
        for (PendingUpload upload : pending) {
            assertThat(printed).contains(upload.uploadId());
        }
        for (ObjectInfo tail : tails) {
            assertThat(printed).contains(tail.location().toString());
        }
        assertThat(rows.pendingUploads()).as("pending uploads after leftovers").isEmpty();
        assertThat(rows.objects())
                .as("objects after leftovers: the committed files")
                .extracting(o -> o.location().key())
                .containsExactlyInAnyOrderElementsOf(committedKeys);
        System.out.printf(
                "FileSink through three kills: %d rows, each exactly once, in %d committed files"
                        + " %s; the kills left %d multipart uploads pending and %d tail objects,"
                        + " removed by leftovers%n",
                expected.size(), committed.size(), filesPerBucket, pending.size(), tails.size());
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
     * Invariant 4 on real processes: the S3 secret key is in {@code conf/config.yaml} (Flink 1.20:
     * {@code conf/flink-conf.yaml}), the cluster's only configuration file, and nowhere else, not
     * in any log or stdout file of any process (JobManagers, TaskManagers, ZooKeeper, the S3
     * server), nor in the REST responses an operator's browser receives.
     */
    @Test
    @Order(4)
    void theSecretKeyAppearsInNoLogAndNoRestResponse() throws Exception {
        try (Stream<Path> conf = Files.list(CLUSTER.confDir())) {
            assertThat(conf.map(p -> p.getFileName().toString()))
                    .as("files of the cluster's conf/")
                    .containsExactlyInAnyOrder(FlinkConfFile.NAME, "log4j.properties");
        }
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
        for (JobDetails job : rest.jobs().getJobs()) {
            for (String part : List.of("", "/config", "/exceptions", "/checkpoints/config")) {
                paths.add("/jobs/" + job.getJobId() + part);
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
        RestApi newLeader = killLeader(scenario, job);
        new JobWatch(newLeader, job).awaitStatus(JobStatus.FINISHED);
        return newLeader;
    }

    /**
     * Kills the leader right after a checkpoint of {@code job}, waits until the standby restored
     * the newest checkpoint, runs every task and completed the next checkpoint, and prints the
     * recovery times. Returns the REST API of the new leader.
     */
    private static RestApi killLeader(String scenario, JobID job) {
        HaCluster.JobManager leader = CLUSTER.leader();
        HaCluster.JobManager standby =
                CLUSTER.jobManagers().stream().filter(jm -> jm != leader).findFirst().orElseThrow();
        JobWatch beforeKill = new JobWatch(leader.rest(), job);
        beforeKill.awaitCompleted(CHECKPOINTS_BEFORE_KILL);
        JobWatch.Kill kill = beforeKill.killRightAfterACheckpoint(leader.process());

        JobWatch afterKill = new JobWatch(standby.rest(), job);
        RestoredCheckpointStatistics restored =
                RestoredCheckpoints.awaitRecovery(scenario, afterKill, kill.at());

        assertThat(CLUSTER.leader().name()).isEqualTo(standby.name());
        RestoredCheckpoints.assertNewestBefore(restored, kill, job);
        return standby.rest();
    }
}
