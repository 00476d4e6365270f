package io.flinkrecovery.it.cluster;

import io.flinkrecovery.compat.FlinkConfFile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A Flink home as the distribution lays it out: {@code lib/} (links to the jars {@code
 * cluster-home} assembled, our shaded jar among them), {@code conf/config.yaml} (Flink 1.20: {@code
 * conf/flink-conf.yaml}), {@code conf/log4j.properties} and {@code log/}. It starts JobManagers and
 * TaskManagers as {@code bin/jobmanager.sh} and {@code bin/taskmanager.sh} do: each {@code java
 * -classpath 'lib/*'} in its own JVM, with the memory flags of {@link ResourceParams} and a log
 * file of its own.
 */
final class FlinkHome {

    static final String JOB_MANAGER_MAIN =
            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    static final String TASK_MANAGER_MAIN =
            "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";

    private final Processes processes;
    private final Path home;
    private final Map<String, String> config;

    private FlinkHome(Processes processes, Path home, Map<String, String> config) {
        this.processes = processes;
        this.home = home;
        this.config = config;
    }

    /** Lays out a home in {@code home} with the jars of {@code flinkLib} and {@code config}. */
    static FlinkHome create(
            Processes processes, Path home, Path flinkLib, Map<String, String> config)
            throws IOException {
        Files.createDirectories(home.resolve("lib"));
        Files.createDirectories(home.resolve("log"));
        Files.createDirectories(home.resolve("conf"));
        try (Stream<Path> jars = Files.list(flinkLib)) {
            for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
                Files.createSymbolicLink(
                        home.resolve("lib").resolve(jar.getFileName()), jar.toAbsolutePath());
            }
        }
        Files.writeString(
                home.resolve("conf").resolve(FlinkConfFile.NAME),
                FlinkConfFile.render(config),
                StandardCharsets.UTF_8);
        Resources.copy("log4j.properties", home.resolve("conf/log4j.properties"));
        return new FlinkHome(processes, home, Map.copyOf(config));
    }

    Path dir() {
        return home;
    }

    Path log() {
        return home.resolve("log");
    }

    /**
     * Starts a JobManager with its REST API on {@code restPort}, as {@code bin/jobmanager.sh start
     * -D rest.port=<restPort>} does.
     */
    ManagedProcess startJobManager(String name, int restPort)
            throws IOException, InterruptedException {
        List<String> dynamicArgs = List.of("-D", "rest.port=" + restPort);
        ResourceParams params =
                ResourceParams.compute(home, ResourceParams.JOB_MANAGER, dynamicArgs);
        List<String> args = new ArrayList<>(params.dynamicProperties());
        args.addAll(List.of("--configDir", "conf"));
        args.addAll(dynamicArgs);
        return start(name, params, "env.java.opts.jobmanager", JOB_MANAGER_MAIN, args);
    }

    /** Starts a TaskManager, as {@code bin/taskmanager.sh start} does. */
    ManagedProcess startTaskManager(String name) throws IOException, InterruptedException {
        ResourceParams params =
                ResourceParams.compute(home, ResourceParams.TASK_MANAGER, List.of());
        List<String> args = new ArrayList<>(List.of("--configDir", "conf"));
        args.addAll(params.dynamicProperties());
        return start(name, params, "env.java.opts.taskmanager", TASK_MANAGER_MAIN, args);
    }

    private ManagedProcess start(
            String name,
            ResourceParams params,
            String javaOptsKey,
            String mainClass,
            List<String> args)
            throws IOException {
        List<String> jvmArgs = new ArrayList<>(params.jvmArgs());
        jvmArgs.addAll(javaOpts("env.java.opts.all"));
        jvmArgs.addAll(javaOpts(javaOptsKey));
        Path logFile = log().resolve(name + ".log").toAbsolutePath();
        jvmArgs.add("-Dlog.file=" + logFile);
        jvmArgs.add("-Dlog4j.configuration=file:conf/log4j.properties");
        jvmArgs.add("-Dlog4j.configurationFile=file:conf/log4j.properties");
        return processes.start(
                name,
                JavaCommand.of(jvmArgs, "lib/*", mainClass, args),
                home,
                log().resolve(name + ".out"));
    }

    private List<String> javaOpts(String key) {
        String opts = config.getOrDefault(key, "").trim();
        return opts.isEmpty() ? List.of() : Arrays.asList(opts.split("\\s+"));
    }
}
