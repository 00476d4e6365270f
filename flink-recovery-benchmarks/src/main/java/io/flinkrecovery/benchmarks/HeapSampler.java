package io.flinkrecovery.benchmarks;

/**
 * The peak of this JVM's used heap over an interval, above what was in use (after a GC) when it
 * started: sampled every few milliseconds by a daemon thread, so a peak shorter than that may be
 * missed. In the benchmark the MiniCluster runs in this JVM, so it is what a restore costs the
 * TaskManager's heap (RocksDB's and ForSt's native memory is not in it).
 */
final class HeapSampler implements AutoCloseable {

    private static final long INTERVAL_MILLIS = 5;

    private final long baseline;
    private final Thread thread;
    private volatile long peak;
    private volatile boolean running = true;

    private HeapSampler() {
        System.gc();
        baseline = used();
        peak = baseline;
        thread = new Thread(this::sample, "benchmark-heap-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    static HeapSampler start() {
        return new HeapSampler();
    }

    private static long used() {
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private void sample() {
        while (running) {
            peak = Math.max(peak, used());
            try {
                Thread.sleep(INTERVAL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Stops sampling; the peak above the baseline, in bytes. */
    long stop() throws InterruptedException {
        running = false;
        thread.join();
        return Math.max(0, Math.max(peak, used()) - baseline);
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
