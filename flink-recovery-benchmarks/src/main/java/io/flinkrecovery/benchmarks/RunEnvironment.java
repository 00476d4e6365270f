package io.flinkrecovery.benchmarks;

import org.apache.flink.runtime.util.EnvironmentInformation;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The machine and the code a benchmark ran on, so that two result files can be compared: cores,
 * load before and after, JVM, Flink version and the git commit, with whether the tree had changes
 * that commit does not hold.
 */
final class RunEnvironment {

    private static final Path LOAD_AVERAGE = Paths.get("/proc/loadavg");

    final Instant started = Instant.now();
    final int availableProcessors = Runtime.getRuntime().availableProcessors();
    final long maxHeapBytes = Runtime.getRuntime().maxMemory();
    final String javaVersion = System.getProperty("java.version");
    final String javaVm =
            System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version");
    final String os =
            System.getProperty("os.name")
                    + " "
                    + System.getProperty("os.version")
                    + " "
                    + System.getProperty("os.arch");
    final String flinkVersion = EnvironmentInformation.getVersion();
    final GitState git = GitState.of(Paths.get("").toAbsolutePath());
    final List<Double> loadAtStart = loadAverage();
    List<Double> loadAtEnd = List.of();

    /** Records the load at the end of the run. */
    void finish() {
        loadAtEnd = loadAverage();
    }

    Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("started", started.toString());
        map.put("availableProcessors", availableProcessors);
        map.put("loadAverageAtStart", loadAtStart);
        map.put("loadAverageAtEnd", loadAtEnd);
        map.put("maxHeapBytes", maxHeapBytes);
        map.put("java", javaVersion);
        map.put("jvm", javaVm);
        map.put("os", os);
        map.put("flink", flinkVersion);
        map.put("gitCommit", git.commit);
        map.put("gitDirty", git.dirty);
        return map;
    }

    /**
     * The 1, 5 and 15 minute load averages from {@code /proc/loadavg}, or the JVM's one-minute
     * figure where there is no such file; empty if neither is available.
     */
    static List<Double> loadAverage() {
        try {
            String[] fields = Files.readString(LOAD_AVERAGE).trim().split("\\s+");
            List<Double> load = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                load.add(Double.parseDouble(fields[i]));
            }
            return load;
        } catch (IOException | RuntimeException e) {
            double oneMinute = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            return oneMinute < 0 ? List.of() : List.of(oneMinute);
        }
    }

    /** The commit checked out in a directory, and whether its tree has uncommitted changes. */
    static final class GitState {
        /** {@code null} outside a git work tree or without git. */
        final String commit;

        /** {@code null} when unknown. */
        final Boolean dirty;

        private GitState(String commit, Boolean dirty) {
            this.commit = commit;
            this.dirty = dirty;
        }

        static GitState of(Path directory) {
            String commit = git(directory, "rev-parse", "HEAD");
            if (commit == null) {
                return new GitState(null, null);
            }
            String status = git(directory, "status", "--porcelain", "--untracked-files=no");
            return new GitState(commit.trim(), status == null ? null : !status.isBlank());
        }

        /** The output of a git command, or {@code null} if it failed or took over 10 s. */
        private static String git(Path directory, String... args) {
            List<String> command = new ArrayList<>();
            command.add("git");
            command.addAll(List.of(args));
            try {
                Process process =
                        new ProcessBuilder(command)
                                .directory(directory.toFile())
                                .redirectError(ProcessBuilder.Redirect.DISCARD)
                                .start();
                byte[] output = process.getInputStream().readAllBytes();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    return null;
                }
                return process.exitValue() == 0 ? new String(output, StandardCharsets.UTF_8) : null;
            } catch (IOException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }
}
