package io.flinkrecovery.benchmarks;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.source.legacy.RichParallelSourceFunction;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

/**
 * Lets the driver of a {@link FileSinkJob} release its rows one batch at a time and wait until
 * every source subtask emitted the batch, so that a checkpoint triggered then falls between two
 * batches. Batch {@code k} (from 0) of subtask {@code s} is the rows {@code k * perBatch + s *
 * perSubtask} and the {@code perSubtask - 1} after it: every run of a workload writes the same rows
 * into the same files. The sources find this object through a static registry by run id, which
 * works because the MiniCluster runs in the driver's JVM and loads the job's classes parent-first.
 */
final class RowBatches {

    private static final Map<String, RowBatches> RUNS = new ConcurrentHashMap<>();

    private final String runId;
    private final int[] done;
    private int released;

    private RowBatches(String runId, int parallelism) {
        this.runId = runId;
        this.done = new int[parallelism];
    }

    static RowBatches register(String runId, int parallelism) {
        RowBatches batches = new RowBatches(runId, parallelism);
        if (RUNS.putIfAbsent(runId, batches) != null) {
            throw new IllegalStateException("Run " + runId + " is already registered");
        }
        return batches;
    }

    void unregister() {
        RUNS.remove(runId);
    }

    /** Lets every subtask emit its batches up to {@code batches} in all. */
    synchronized void release(int batches) {
        released = batches;
        notifyAll();
    }

    /**
     * Waits until every subtask emitted {@code batches} batches; false if {@code stillRunning}
     * turned false first (the job ended).
     */
    synchronized boolean awaitEmitted(int batches, Duration timeout, Check stillRunning)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean all = true;
            for (int count : done) {
                all &= count >= batches;
            }
            if (all) {
                return true;
            }
            if (!stillRunning.test()) {
                return false;
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException(runId + ": batch " + batches + " not emitted");
            }
            wait(10);
        }
    }

    private synchronized int awaitReleased(int batch) throws InterruptedException {
        while (released <= batch) {
            wait(10);
        }
        return released;
    }

    private synchronized void emitted(int subtask, int batches) {
        done[subtask] = batches;
        notifyAll();
    }

    /** A condition that may throw, such as a job status request. */
    interface Check {
        boolean test() throws Exception;
    }

    /** The rows of a run, emitted batch by batch as the driver releases them. */
    static final class Source extends RichParallelSourceFunction<String> {
        private static final long serialVersionUID = 1L;

        /** Rows emitted per hold of the checkpoint lock. */
        private static final int CHUNK = 1024;

        private final String runId;
        private final int batches;
        private final long perSubtask;
        private final int rowBytes;
        private volatile boolean running = true;

        Source(String runId, int batches, long perSubtask, int rowBytes) {
            this.runId = runId;
            this.batches = batches;
            this.perSubtask = perSubtask;
            this.rowBytes = rowBytes;
        }

        @Override
        public void open(OpenContext openContext) {
            if (RUNS.get(runId) == null) {
                throw new IllegalStateException("No driver for run " + runId);
            }
        }

        @Override
        public void run(SourceContext<String> ctx) throws Exception {
            RowBatches control = RUNS.get(runId);
            int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
            int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
            for (int batch = 0; batch < batches && running; batch++) {
                control.awaitReleased(batch);
                long first = (batch * (long) parallelism + subtask) * perSubtask;
                for (long start = 0; start < perSubtask; start += CHUNK) {
                    long end = Math.min(perSubtask, start + CHUNK);
                    synchronized (ctx.getCheckpointLock()) {
                        for (long i = start; i < end; i++) {
                            ctx.collect(FileSinkJob.row(first + i, rowBytes));
                        }
                    }
                }
                control.emitted(subtask, batch + 1);
            }
        }

        @Override
        public void cancel() {
            running = false;
        }
    }
}
