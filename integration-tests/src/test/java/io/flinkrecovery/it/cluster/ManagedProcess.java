package io.flinkrecovery.it.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A process a test started: its name, its pid, and the file its standard output and error go to. It
 * is stopped only by its pid: with SIGKILL, as {@code kill -9 <pid>} would, or with SIGTERM, as
 * Flink's and ZooKeeper's stop scripts do.
 */
final class ManagedProcess {

    private static final long KILL_TIMEOUT_SECONDS = 30;
    private static final long STOP_TIMEOUT_SECONDS = 90;

    private final String name;
    private final Process process;
    private final Path output;

    private ManagedProcess(String name, Process process, Path output) {
        this.name = name;
        this.process = process;
        this.output = output;
    }

    /**
     * Starts {@code command} in {@code workDir}, its output going to {@code output}; records its
     * pid next to it in {@code <name>.pid}, as Flink's daemon scripts do.
     */
    static ManagedProcess start(String name, List<String> command, Path workDir, Path output)
            throws IOException {
        Files.createDirectories(output.getParent());
        Process process =
                new ProcessBuilder(command)
                        .directory(workDir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(output.toFile())
                        .start();
        ManagedProcess started = new ManagedProcess(name, process, output);
        Files.writeString(
                output.resolveSibling(name + ".pid"),
                process.pid() + "\n",
                StandardCharsets.US_ASCII);
        return started;
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    Path output() {
        return output;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Sends SIGKILL to the process (idempotent) and waits until it is gone. Returns the moment the
     * signal was sent.
     */
    Instant kill() {
        Instant killed = Instant.now();
        process.destroyForcibly();
        awaitExit("SIGKILL", KILL_TIMEOUT_SECONDS);
        return killed;
    }

    /**
     * Sends SIGTERM, as {@code kill <pid>} in Flink's {@code bin/stop-cluster.sh} does, and waits
     * until the process has shut down. Returns the moment the signal was sent. A process that does
     * not exit in time is left to {@link #kill()}.
     */
    Instant stop() {
        Instant stopped = Instant.now();
        process.destroy();
        awaitExit("SIGTERM", STOP_TIMEOUT_SECONDS);
        return stopped;
    }

    private void awaitExit(String signal, long timeoutSeconds) {
        try {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                throw new IllegalStateException(
                        "Process " + this + " still runs " + timeoutSeconds + " s after " + signal);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(
                    "Interrupted while waiting for " + this + " to exit after " + signal, e);
        }
    }

    /** The output so far, for error messages. */
    String outputText() {
        try {
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + output + ": " + e + ")";
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ", output " + output + ")";
    }
}
