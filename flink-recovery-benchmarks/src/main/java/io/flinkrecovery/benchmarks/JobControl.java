package io.flinkrecovery.benchmarks;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets the benchmark driver tell the source subtasks of one job what to emit, and wait until they
 * did. The MiniCluster runs in the driver's JVM and loads the job's classes parent-first, so the
 * sources find this object through a static registry by the job's name.
 *
 * <p>Each source subtask emits to a keyed function chained in its own thread, so once every subtask
 * reported a command done, every record of it has been applied to state. A checkpoint triggered
 * after that covers exactly the command's updates.
 */
final class JobControl {

    private static final Map<String, JobControl> CONTROLS = new ConcurrentHashMap<>();

    /** What the sources emit. */
    enum Kind {
        /** Every key once. */
        LOAD,
        /** {@code fraction} of the keys, each at most once, chosen at random. */
        UPDATE,
        /** {@code count} updates of keys chosen at random, repeats allowed, as fast as possible. */
        THROUGHPUT,
        /** A read of every key, counting the keys that have a value. */
        VERIFY,
        /** End the source, and so the job. */
        STOP
    }

    /** One command to every source subtask. */
    record Command(long seq, Kind kind, double fraction, long count) {}

    private final String name;
    private final int parallelism;
    private final long[] startedNanos;
    private final long[] doneSeq;
    private final long[] emitted;
    private final AtomicLong present = new AtomicLong();
    private final AtomicLong missing = new AtomicLong();
    private Command current;
    private long nextSeq = 1;

    private JobControl(String name, int parallelism) {
        this.name = name;
        this.parallelism = parallelism;
        this.startedNanos = new long[parallelism];
        this.doneSeq = new long[parallelism];
        this.emitted = new long[parallelism];
    }

    static JobControl register(String name, int parallelism) {
        JobControl control = new JobControl(name, parallelism);
        if (CONTROLS.putIfAbsent(name, control) != null) {
            throw new IllegalStateException("A job named " + name + " is already registered");
        }
        return control;
    }

    static JobControl forJob(String name) {
        JobControl control = CONTROLS.get(name);
        if (control == null) {
            throw new IllegalStateException("No benchmark job named " + name + " in this JVM");
        }
        return control;
    }

    void unregister() {
        CONTROLS.remove(name, this);
    }

    String name() {
        return name;
    }

    // ---- called by the source subtasks ----

    synchronized void started(int subtask) {
        startedNanos[subtask] = System.nanoTime();
        notifyAll();
    }

    /** Waits up to {@code millis} for a command newer than {@code lastSeq}; null if none came. */
    synchronized Command awaitCommand(long lastSeq, long millis) throws InterruptedException {
        if (current == null || current.seq() <= lastSeq) {
            wait(millis);
        }
        return current != null && current.seq() > lastSeq ? current : null;
    }

    synchronized void done(int subtask, long seq, long records) {
        doneSeq[subtask] = seq;
        emitted[subtask] = records;
        notifyAll();
    }

    void countVerified(boolean hasValue) {
        (hasValue ? present : missing).incrementAndGet();
    }

    // ---- called by the driver ----

    /** Forgets start times, so that {@link #awaitStarted} waits for a new submission. */
    synchronized void resetStarted() {
        java.util.Arrays.fill(startedNanos, 0L);
        java.util.Arrays.fill(doneSeq, 0L);
        current = null;
        present.set(0);
        missing.set(0);
    }

    /** Waits until every subtask's source runs; returns the latest start, from System.nanoTime. */
    synchronized long awaitStarted(Duration timeout) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long latest = 0;
            boolean all = true;
            for (long started : startedNanos) {
                all &= started != 0;
                latest = Math.max(latest, started);
            }
            if (all) {
                return latest;
            }
            waitUntil(deadline, "the sources of " + name + " to start");
        }
    }

    /** Sends a command to every subtask and waits until all did it; returns the records emitted. */
    long run(Kind kind, double fraction, long count, Duration timeout)
            throws InterruptedException, TimeoutException {
        long seq;
        synchronized (this) {
            seq = nextSeq++;
            current = new Command(seq, kind, fraction, count);
            notifyAll();
        }
        if (kind == Kind.STOP) {
            return 0;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (true) {
                boolean all = true;
                long total = 0;
                for (int i = 0; i < parallelism; i++) {
                    all &= doneSeq[i] >= seq;
                    total += emitted[i];
                }
                if (all) {
                    return total;
                }
                waitUntil(deadline, kind + " on " + name);
            }
        }
    }

    long present() {
        return present.get();
    }

    long missing() {
        return missing.get();
    }

    private void waitUntil(long deadline, String what)
            throws InterruptedException, TimeoutException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new TimeoutException("Timed out waiting for " + what);
        }
        wait(Math.max(1, left / 1_000_000));
    }
}
