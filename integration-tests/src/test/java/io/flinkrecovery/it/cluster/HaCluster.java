package io.flinkrecovery.it.cluster;

import org.apache.flink.api.common.JobID;
import org.apache.flink.client.program.PackagedProgram;
import org.apache.flink.client.program.PackagedProgramUtils;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.rest.handler.legacy.messages.ClusterOverviewWithVersion;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A Flink session cluster of real processes for one test class, started in {@code beforeAll} and
 * killed in {@code afterAll}: ZooKeeper, the S3 server, JobManagers with ZooKeeper HA (the first to
 * start leads, the others stand by) and TaskManagers, all from a Flink home assembled from Maven
 * artifacts ({@link FlinkHome}). Register it on a static field with {@code @RegisterExtension}.
 *
 * <p>Everything of a run lives under {@code target/cluster-runs/<class>-<time>/}: the Flink home
 * with one log file per process in {@code flink/log/}, ZooKeeper's and the S3 server's data and
 * logs, the job jar and the job's output. It is kept, and its path printed when a test failed.
 */
final class HaCluster
        implements BeforeAllCallback, AfterAllCallback, AfterEachCallback, AutoCloseable {

    static final String BUCKET = "it-cluster";

    private static final String RUNS_PROPERTY = "flinkrecovery.cluster.runs";
    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);

    private final int jobManagerCount;
    private final int taskManagerCount;
    private final Map<String, String> extraConfig;

    private Path runDir;
    private Processes processes;
    private ZooKeeperProcess zooKeeper;
    private S3ServerProcess s3;
    private FlinkHome flink;
    private RestClusterClient<String> client;
    private final Map<String, JobManager> jobManagers = new LinkedHashMap<>();
    private final Map<String, ManagedProcess> taskManagers = new LinkedHashMap<>();
    private int jobManagersStarted;
    private int taskManagersStarted;
    private volatile boolean failed;

    HaCluster(int jobManagers, int taskManagers) {
        this(jobManagers, taskManagers, Map.of());
    }

    /**
     * A cluster whose {@code config.yaml} has {@code extraConfig} on top of {@link ClusterConfig}.
     */
    HaCluster(int jobManagers, int taskManagers, Map<String, String> extraConfig) {
        this.jobManagerCount = jobManagers;
        this.taskManagerCount = taskManagers;
        this.extraConfig = Map.copyOf(extraConfig);
    }

    /** A JobManager process and the port of its REST API. */
    record JobManager(String name, ManagedProcess process, int restPort) {
        RestApi rest() {
            return new RestApi(restPort);
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        String time = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        start(
                Path.of(System.getProperty(RUNS_PROPERTY, "target/cluster-runs"))
                        .resolve(context.getRequiredTestClass().getSimpleName() + "-" + time));
    }

    /**
     * Starts ZooKeeper, the S3 server, the JobManagers and the TaskManagers, with everything of the
     * run under {@code dir}, and waits until every TaskManager registered. Whatever it started is
     * killed by {@link #close()}, also if it fails.
     */
    void start(Path dir) throws Exception {
        ClusterHome jars = ClusterHome.located();
        runDir = dir.toAbsolutePath();
        Files.createDirectories(runDir.resolve("tmp"));
        System.out.println("Cluster run in " + runDir);
        processes = new Processes();
        try {
            zooKeeper =
                    ZooKeeperProcess.start(
                            processes, runDir.resolve("zookeeper"), jars.zooKeeperLib());
            s3 = S3ServerProcess.start(processes, runDir.resolve("s3"), jars.s3ServerLib(), BUCKET);
            flink = FlinkHome.create(processes, runDir.resolve("flink"), jars.flinkLib(), config());
            for (int i = 0; i < jobManagerCount; i++) {
                startJobManager();
            }
            for (int i = 0; i < taskManagerCount; i++) {
                startTaskManager();
            }
            awaitTaskManagers(taskManagerCount);
            client = new RestClusterClient<>(clientConfig(), "cluster-it");
        } catch (Exception | Error e) {
            failed = true;
            throw e;
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (context.getExecutionException().isPresent()) {
            failed = true;
            System.out.println("Logs of the failed run: " + runDir);
        }
    }

    /** Runs also when {@link #beforeAll} failed, and kills whatever it started. */
    @Override
    public void afterAll(ExtensionContext context) {
        if (context.getExecutionException().isPresent()) {
            failed = true;
        }
        close();
    }

    /** Closes the client and kills every process of the run by its pid. */
    @Override
    public void close() {
        try {
            if (client != null) {
                client.close();
            }
        } finally {
            if (processes != null) {
                processes.close();
            }
            if (failed) {
                System.out.println("Logs of the failed run: " + runDir);
            }
        }
    }

    /** Starts one more JobManager, named {@code jobmanager-<n>}; it stands by if a leader runs. */
    JobManager startJobManager() throws Exception {
        String name = "jobmanager-" + ++jobManagersStarted;
        int restPort = JavaCommand.freePort();
        JobManager jobManager =
                new JobManager(name, flink.startJobManager(name, restPort), restPort);
        jobManagers.put(name, jobManager);
        return jobManager;
    }

    /** Starts one more TaskManager, named {@code taskmanager-<n>}. */
    ManagedProcess startTaskManager() throws Exception {
        String name = "taskmanager-" + ++taskManagersStarted;
        ManagedProcess taskManager = flink.startTaskManager(name);
        taskManagers.put(name, taskManager);
        return taskManager;
    }

    /** The ZooKeeper server of the run, to kill or stop and start again. */
    ZooKeeperProcess zooKeeper() {
        return zooKeeper;
    }

    /** The JobManagers started and not killed, in the order they started. */
    List<JobManager> jobManagers() {
        return jobManagers.values().stream().filter(jm -> jm.process().isAlive()).toList();
    }

    /** The TaskManagers started and not killed, in the order they started. */
    List<ManagedProcess> taskManagers() {
        return taskManagers.values().stream().filter(ManagedProcess::isAlive).toList();
    }

    /** The JobManager ZooKeeper names as leader: the one whose REST address it publishes. */
    JobManager leader() {
        int port = URI.create(client.getWebInterfaceURL()).getPort();
        return jobManagers().stream()
                .filter(jm -> jm.restPort() == port)
                .findFirst()
                .orElseThrow(
                        () ->
                                new IllegalStateException(
                                        "No running JobManager serves REST on leader port "
                                                + port));
    }

    /** Waits until the leader has {@code count} TaskManagers registered with all their slots. */
    void awaitTaskManagers(int count) {
        RestApi rest = jobManagers().get(0).rest();
        await().alias(count + " TaskManagers registered, see " + flink.log())
                .atMost(START_TIMEOUT)
                .pollInterval(Duration.ofMillis(250))
                .ignoreExceptions()
                .until(
                        () -> {
                            ClusterOverviewWithVersion overview = rest.overview();
                            return overview.getNumTaskManagersConnected() == count
                                    && overview.getNumSlotsTotal()
                                            == count * ClusterConfig.SLOTS_PER_TASK_MANAGER;
                        });
    }

    /**
     * Submits the job of {@code jobJar} as {@code flink run} does: initializes Flink's file systems
     * with the cluster's {@code config.yaml} (a {@code FileSink} opens its {@code s3://} file
     * system while the JobGraph is built), runs the job's main class client-side to build the
     * JobGraph, then sends graph and jar to the leader over REST, found through ZooKeeper.
     */
    JobID submit(Path jobJar, String mainClass, List<String> args) throws Exception {
        return submit(jobJar, mainClass, args, Map.of());
    }

    /**
     * Submits as {@link #submit(Path, String, List)} does, with {@code jobConfig} on top of the
     * cluster's configuration, as {@code flink run -D key=value} passes it to the job; an {@code
     * execution.state-recovery.path} in it becomes the job's restore path, as {@code flink run -s}
     * sets it.
     */
    JobID submit(Path jobJar, String mainClass, List<String> args, Map<String, String> jobConfig)
            throws Exception {
        // As flink run's CliFrontend does, with the configuration file only.
        FileSystem.initialize(clientConfig(), null);
        Configuration config = clientConfig();
        config.addAll(Configuration.fromMap(jobConfig));
        PackagedProgram program =
                PackagedProgram.newBuilder()
                        .setJarFile(jobJar.toFile())
                        .setEntryPointClassName(mainClass)
                        .setArguments(args.toArray(String[]::new))
                        .setConfiguration(config)
                        .setSavepointRestoreSettings(
                                SavepointRestoreSettings.fromConfiguration(config))
                        .build();
        try {
            JobGraph graph = PackagedProgramUtils.createJobGraph(program, config, 1, false);
            return client.submitJob(graph).get();
        } finally {
            program.close();
        }
    }

    /** Cancels {@code job} through the leader, and waits until it is cancelled. */
    void cancel(JobID job) throws Exception {
        client.cancel(job).get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    private Map<String, String> config() {
        Map<String, String> config =
                ClusterConfig.of(zooKeeper.quorum(), s3.flinkConfig(), BUCKET, runDir);
        config.putAll(extraConfig);
        return config;
    }

    /** The S3 server process, with its fault control. */
    S3ServerProcess s3() {
        return s3;
    }

    /** Where tests keep what belongs to this run, such as job jars and outputs. */
    Path runDir() {
        return runDir;
    }

    /** The Flink client's configuration: the cluster's own {@code conf/config.yaml}. */
    Configuration clientConfig() {
        return GlobalConfiguration.loadConfiguration(confDir().toString());
    }

    /** The directory of the cluster's {@code config.yaml}, as {@code $FLINK_HOME/conf}. */
    Path confDir() {
        return flink.dir().resolve("conf");
    }
}
