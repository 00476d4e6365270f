package io.flinkrecovery.it.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The JVM flags and {@code -D} options of a JobManager or TaskManager, from Flink's {@code
 * BashJavaUtils} as {@code bin/jobmanager.sh} and {@code bin/taskmanager.sh} get them: its output
 * has two result lines, the JVM flags first, then the dynamic properties. A TaskManager started
 * without them fails with "taskmanager.cpu.cores is not set".
 */
record ResourceParams(List<String> jvmArgs, List<String> dynamicProperties) {

    static final String JOB_MANAGER = "GET_JM_RESOURCE_PARAMS";
    static final String TASK_MANAGER = "GET_TM_RESOURCE_PARAMS";

    private static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";
    private static final long TIMEOUT_SECONDS = 120;

    /**
     * Runs {@code BashJavaUtils command --configDir conf <dynamicArgs>} in {@code home}, with
     * {@code lib/*} as class path.
     */
    static ResourceParams compute(Path home, String command, List<String> dynamicArgs)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(command, "--configDir", "conf"));
        args.addAll(dynamicArgs);
        Process process =
                new ProcessBuilder(
                                JavaCommand.of(
                                        List.of(),
                                        "lib/*",
                                        "org.apache.flink.runtime.util.bash.BashJavaUtils",
                                        args))
                        .directory(home.toFile())
                        .redirectErrorStream(true)
                        .start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("BashJavaUtils " + command + " did not finish");
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(
                    "BashJavaUtils "
                            + command
                            + " failed with exit code "
                            + process.exitValue()
                            + ":\n"
                            + output);
        }
        return parse(command, output);
    }

    static ResourceParams parse(String command, String output) {
        List<String> results =
                output.lines()
                        .filter(line -> line.startsWith(RESULT_PREFIX))
                        .map(line -> line.substring(RESULT_PREFIX.length()).trim())
                        .toList();
        if (results.size() != 2) {
            throw new IllegalStateException(
                    "BashJavaUtils "
                            + command
                            + " printed "
                            + results.size()
                            + " result lines (expected 2):\n"
                            + output);
        }
        return new ResourceParams(words(results.get(0)), words(results.get(1)));
    }

    private static List<String> words(String line) {
        return line.isEmpty() ? List.of() : Arrays.asList(line.split("\\s+"));
    }
}
