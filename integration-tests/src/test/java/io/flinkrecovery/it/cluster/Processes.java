package io.flinkrecovery.it.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The processes one test class started, which it owns: {@link #close()} kills each by its pid, the
 * newest first. A shutdown hook does the same if the test JVM exits before, so that no process
 * outlives its test.
 */
final class Processes implements AutoCloseable {

    private final Deque<ManagedProcess> started = new ArrayDeque<>();
    private final Thread shutdownHook = new Thread(this::killAll, "kill-cluster-processes");

    Processes() {
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts a process that {@link #close()} kills. */
    synchronized ManagedProcess start(String name, List<String> command, Path workDir, Path output)
            throws IOException {
        ManagedProcess process = ManagedProcess.start(name, command, workDir, output);
        started.push(process);
        return process;
    }

    synchronized List<ManagedProcess> all() {
        return new ArrayList<>(started);
    }

    @Override
    public void close() {
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // The JVM is shutting down and runs the hook anyway.
        }
    }

    private synchronized void killAll() {
        RuntimeException failure = null;
        for (ManagedProcess process : started) {
            try {
                process.kill();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
