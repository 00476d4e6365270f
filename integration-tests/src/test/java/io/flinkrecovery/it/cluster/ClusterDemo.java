package io.flinkrecovery.it.cluster;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointStatistics.CompletedCheckpointStatistics;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointingStatistics.RestoredCheckpointStatistics;

import io.flinkrecovery.inspect.InspectionReport;
import io.flinkrecovery.inspect.RestoreInspector;
import io.flinkrecovery.it.AllStatesClusterJob;
import io.flinkrecovery.storage.S3CheckpointStorage;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code bin/demo --cluster}: the recovery this project exists for, on real processes. ZooKeeper,
 * the S3 server, two JobManagers (leader and standby) and two TaskManagers start from a Flink home
 * assembled from Maven artifacts with our jar in {@code lib/}; a job using every kind of state runs
 * on our backend and storage; the leader is killed with {@code kill -9} right after a checkpoint;
 * the standby takes over, reads the newest checkpoint from ZooKeeper and restores it from S3. The
 * summary shows each step and whether the results equal the reference computed without Flink; the
 * exit code is 0 only if they do. Every process it started is killed on exit, also on failure or
 * Ctrl-C.
 *
 * <p>Options: {@code --events N} (default 6000), {@code --keys K} (100), {@code --dir DIR} (default
 * {@code target/cluster-demo/<time>}).
 */
public final class ClusterDemo {

    private static final int PARALLELISM = 2;
    private static final int EVENTS_PER_CHECKPOINT = 150;
    private static final long CHECKPOINTS_BEFORE_KILL = 3;

    private ClusterDemo() {}

    /** The command line of {@code bin/demo --cluster}, parsed by picocli as the demo's is. */
    @Command(
            name = "bin/demo --cluster",
            sortOptions = false,
            description =
                    "The demo on real processes: ZooKeeper, the S3 server, two JobManagers with"
                            + " ZooKeeper HA and two TaskManagers; the leader is killed mid-run.")
    static final class Options implements Callable<Integer> {
        @Option(
                names = {"-h", "--help"},
                usageHelp = true,
                description = "Show this help message and exit.")
        boolean help;

        @Option(names = "--events", paramLabel = "N", description = "Events (default 6000).")
        long events = 6_000;

        @Option(names = "--keys", paramLabel = "K", description = "Keys (default 100).")
        int keys = 100;

        @Option(
                names = "--dir",
                paramLabel = "<dir>",
                description = "Where the processes run (default target/cluster-demo/<time>).")
        Path dir;

        @Override
        public Integer call() throws Exception {
            String time =
                    LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
            Path runDir = (dir != null ? dir : Path.of("target/cluster-demo/" + time));
            try (HaCluster cluster = new HaCluster(2, 2)) {
                return run(cluster, runDir.toAbsolutePath(), events, keys) ? 0 : 1;
            }
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Options()).execute(args));
    }

    private static boolean run(HaCluster cluster, Path dir, long events, int keys)
            throws Exception {
        Instant start = Instant.now();
        step("Starting ZooKeeper, the S3 server, 2 JobManagers and 2 TaskManagers in " + dir);
        cluster.start(dir);
        Configuration config = cluster.clientConfig();
        FileSystem.initialize(config, null);

        Path jobJar = dir.resolve("job/all-states.jar");
        JobJar.write(jobJar, AllStatesClusterJob.class, AllStatesClusterJob.jobClasses());
        Path output = dir.resolve("output");
        JobID job =
                cluster.submit(
                        jobJar,
                        AllStatesClusterJob.class.getName(),
                        AllStatesClusterJob.args(
                                events, keys, EVENTS_PER_CHECKPOINT, PARALLELISM, output));
        HaCluster.JobManager leader = cluster.leader();
        HaCluster.JobManager standby =
                cluster.jobManagers().stream().filter(jm -> jm != leader).findFirst().orElseThrow();
        step(
                "Submitted job "
                        + job
                        + " to the leader "
                        + leader.name()
                        + "; "
                        + standby.name()
                        + " stands by");

        JobWatch beforeKill = new JobWatch(leader.rest(), job);
        beforeKill.awaitCompleted(CHECKPOINTS_BEFORE_KILL);
        JobWatch.Kill kill = beforeKill.killRightAfterACheckpoint(leader.process());
        step("kill -9 " + leader.process() + " right after checkpoint " + kill.newest().getId());
        // What the standby will read once ZooKeeper expires the dead leader's session: no new
        // checkpoint can complete before then.
        Optional<ZooKeeperCheckpoints.Newest> inZooKeeper =
                ZooKeeperCheckpoints.newest(config, job);
        String pointer =
                inZooKeeper.map(ZooKeeperCheckpoints.Newest::externalPointer).orElse("none");
        step("ZooKeeper's checkpoint store of the job names " + pointer);
        InspectionReport verdict =
                new RestoreInspector(S3CheckpointStorage.fromConfig(config).objectStore())
                        .validate(pointer, true);
        step("Inspector: " + verdict);

        JobWatch afterKill = new JobWatch(standby.rest(), job);
        RestoredCheckpointStatistics restored = afterKill.awaitRestoredSince(kill.at());
        Instant tasksUp = afterKill.awaitTasksUp();
        CompletedCheckpointStatistics next = afterKill.awaitCompleted(restored.getId() + 1);
        RecoveryTimes times =
                RecoveryTimes.of(
                        "kill -9 of the leading JobManager", kill.at(), restored, tasksUp, next);
        String newLeader = cluster.leader().name();
        step(newLeader + " leads and restored checkpoint " + restored.getId());

        afterKill.awaitStatus(JobStatus.FINISHED);
        List<String> mismatches = AllStatesClusterJob.mismatches(output, events, keys);
        boolean exact =
                mismatches.isEmpty()
                        && newLeader.equals(standby.name())
                        && restored.getId() == kill.newest().getId()
                        && restored.getExternalPath().equals(pointer)
                        && verdict.isValid();
        System.out.println();
        System.out.println("==== flink-recovery cluster demo summary ====");
        System.out.printf(
                "Cluster    : ZooKeeper %s, S3 server, %s and %s, 2 TaskManagers; logs in %s%n",
                config.getString("high-availability.zookeeper.quorum", "?"),
                leader.name(),
                standby.name(),
                dir.resolve("flink/log"));
        System.out.printf(
                "Job        : %s, %d events over %d keys, parallelism %d, on our backend and"
                        + " storage%n",
                job, events, keys, PARALLELISM);
        System.out.printf(
                "Kill       : kill -9 of the leader %s, right after checkpoint %d completed%n",
                leader.name(), kill.newest().getId());
        System.out.printf("Leadership : %s took over%n", newLeader);
        System.out.printf(
                "ZooKeeper  : the job's checkpoint store named checkpoint %s (%s) after the kill%n",
                inZooKeeper.map(n -> String.valueOf(n.id())).orElse("none"), pointer);
        System.out.printf(
                "Restored   : checkpoint %d (%s); the newest completed before the kill: %s; the"
                        + " one ZooKeeper named: %s%n",
                restored.getId(),
                restored.getExternalPath(),
                restored.getId() == kill.newest().getId() ? "yes" : "NO",
                restored.getExternalPath().equals(pointer) ? "yes" : "NO");
        System.out.printf("Inspector  : %s%n", verdict);
        System.out.printf(
                "Recovery   : restored %.1f s, tasks running %.1f s, next checkpoint %.1f s after"
                        + " the kill%n",
                seconds(times.restored()),
                seconds(times.tasksUp()),
                seconds(times.nextCheckpoint()));
        System.out.printf("Wall time  : %.1f s%n", seconds(Duration.between(start, Instant.now())));
        System.out.println(
                exact
                        ? "Result     : OK, every summary equals the reference computed without"
                                + " Flink"
                        : "Result     : WRONG: " + String.join("; ", mismatches));
        return exact;
    }

    private static void step(String what) {
        System.out.println("[cluster demo] " + what);
    }

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }
}
