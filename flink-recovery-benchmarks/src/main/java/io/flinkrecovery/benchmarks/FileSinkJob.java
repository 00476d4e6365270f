package io.flinkrecovery.benchmarks;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.BucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.PartFileInfo;
import org.apache.flink.streaming.api.functions.sink.filesystem.RollingPolicy;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.SimpleVersionedStringSerializer;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.util.SerializedThrowable;

import java.io.IOException;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A FileSink job that writes exactly one batch of rows per checkpoint, so that every file system
 * commits the same files: the driver releases a batch, waits until every source subtask emitted it
 * ({@link RowBatches}), and only then triggers the checkpoint; periodic checkpoints would cut
 * batches at random. Source and sink are chained in one thread per subtask, so a batch that was
 * emitted has reached the sink's writer.
 */
final class FileSinkJob {

    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private FileSinkJob() {}

    /**
     * How a run ended.
     *
     * @param failure the failure that ended the job (such as a file system without a recoverable
     *     writer), or empty if it finished
     * @param failedCheckpoints checkpoints between batches that failed, and were triggered again
     */
    record Outcome(Optional<Throwable> failure, int failedCheckpoints) {}

    /** Runs the job to its end. */
    static Outcome run(
            MiniCluster cluster,
            Configuration base,
            SinkWorkload workload,
            int parallelism,
            Path out,
            String runId)
            throws Exception {
        Configuration config = new Configuration(base);
        config.set(PipelineOptions.NAME, runId);
        // Checkpoints are triggered by run(); the interval only enables checkpointing. A periodic
        // checkpoint never comes: the first is due at a random time between the minimum pause and
        // the interval, and one after the scheduler restarts (which it may do while the job starts)
        // after the minimum pause. The pause does not hold back triggered checkpoints.
        config.setString("execution.checkpointing.interval", "3650 d");
        config.setString("execution.checkpointing.min-pause", "3000 d");
        // The JobManager keeps the sink's small state: every S3 request is the sink's own.
        config.setString("execution.checkpointing.storage", "jobmanager");
        config.setString("state.backend.type", "hashmap");
        config.setString("restart-strategy.type", "none");

        StreamGraph graph;
        try {
            StreamExecutionEnvironment env = new StreamExecutionEnvironment(config);
            env.setParallelism(parallelism);
            env.addSource(
                            new RowBatches.Source(
                                    runId,
                                    workload.checkpoints(),
                                    workload.rowsPerCheckpoint(1),
                                    workload.rowBytes()),
                            "rows",
                            Types.STRING)
                    .sinkTo(
                            FileSink.forRowFormat(out, new SimpleStringEncoder<String>())
                                    .withBucketAssigner(new RowBuckets(workload.buckets()))
                                    .withRollingPolicy(new RollAtCheckpoint(workload.rollBytes()))
                                    .build())
                    .name("file-sink");
            graph = env.getStreamGraph();
        } catch (RuntimeException e) {
            // The FileSink asks for the recoverable writer already here, on the client.
            return new Outcome(Optional.of(e), 0);
        }
        JobID id = new JobID();
        graph.setJobId(id);
        List<URL> classpath = new ArrayList<>();
        for (String url : config.getOptional(PipelineOptions.CLASSPATHS).orElse(List.of())) {
            classpath.add(new URL(url));
        }
        graph.setClasspath(classpath);
        RowBatches batches = RowBatches.register(runId, parallelism);
        int failedCheckpoints = 0;
        try {
            cluster.submitJob(graph).get();
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            // A checkpoint needs every task running, the sink's too.
            if (!allTasksRunning(cluster, id, deadline)) {
                return new Outcome(failure(cluster, id), failedCheckpoints);
            }
            for (int checkpoint = 1; checkpoint <= workload.checkpoints(); checkpoint++) {
                batches.release(checkpoint);
                if (!batches.awaitEmitted(checkpoint, TIMEOUT, () -> !finished(cluster, id))) {
                    return new Outcome(failure(cluster, id), failedCheckpoints);
                }
                failedCheckpoints += checkpointUntilOneCompletes(cluster, id, deadline);
            }
            // The sources end after the last batch; the tasks then finish with one more checkpoint
            // (FLIP-147), which commits what end of input closed: nothing, as every file rolled.
            // A checkpoint triggered as the job finishes may never complete: watch the job, not
            // only the checkpoint.
            while (!finished(cluster, id)) {
                CompletableFuture<String> checkpoint = cluster.triggerCheckpoint(id);
                while (!checkpoint.isDone() && !finished(cluster, id)) {
                    checkDeadline(deadline, runId + " does not finish");
                    Thread.sleep(20);
                }
            }
            return new Outcome(failure(cluster, id), failedCheckpoints);
        } finally {
            batches.unregister();
        }
    }

    /**
     * Triggers checkpoints until one completes; returns how many failed before. The sources wait
     * for the next batch meanwhile, so any checkpoint now falls between the same two batches, but
     * one that failed may have made some subtasks persist their files.
     */
    private static int checkpointUntilOneCompletes(MiniCluster cluster, JobID id, long deadline)
            throws Exception {
        int failed = 0;
        while (true) {
            try {
                cluster.triggerCheckpoint(id).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                return failed;
            } catch (ExecutionException e) {
                failed++;
                checkDeadline(deadline, "No checkpoint of " + id + " completes: " + e.getCause());
                Thread.sleep(20);
            }
        }
    }

    /** Waits until every task runs; false if the job ended first. */
    private static boolean allTasksRunning(MiniCluster cluster, JobID id, long deadline)
            throws Exception {
        while (true) {
            AccessExecutionGraph graph = cluster.getExecutionGraph(id).get();
            if (graph.getState().isGloballyTerminalState()) {
                return false;
            }
            boolean running = graph.getState() == JobStatus.RUNNING;
            for (AccessExecutionVertex vertex : graph.getAllExecutionVertices()) {
                running &= vertex.getExecutionState() == ExecutionState.RUNNING;
            }
            if (running) {
                return true;
            }
            checkDeadline(deadline, "The tasks of " + id + " do not run");
            Thread.sleep(20);
        }
    }

    private static boolean finished(MiniCluster cluster, JobID id) throws Exception {
        return cluster.getJobStatus(id).get().isGloballyTerminalState();
    }

    private static Optional<Throwable> failure(MiniCluster cluster, JobID id) throws Exception {
        JobResult result = cluster.requestJobResult(id).get();
        if (result.isSuccess()) {
            return Optional.empty();
        }
        SerializedThrowable thrown =
                result.getSerializedThrowable()
                        .orElse(
                                new SerializedThrowable(
                                        new IllegalStateException(
                                                "Job "
                                                        + result.getJobId()
                                                        + " ended "
                                                        + result.getJobStatus().orElse(null))));
        return Optional.of(thrown.deserializeError(FileSinkJob.class.getClassLoader()));
    }

    private static void checkDeadline(long deadline, String what) throws TimeoutException {
        if (System.nanoTime() > deadline) {
            throw new TimeoutException(what + " after " + TIMEOUT);
        }
    }

    /**
     * Row {@code i} is "row-" and i in ten digits, padded with 'x' to one byte less than its width:
     * the encoder ends it with a newline.
     */
    static String row(long index, int rowBytes) {
        StringBuilder row = new StringBuilder(rowBytes);
        row.append(String.format("row-%010d ", index));
        while (row.length() < rowBytes - 1) {
            row.append('x');
        }
        return row.toString();
    }

    /** The number of a row that {@link #row} wrote, or -1 if it is no such row. */
    static long indexOf(String line, int rowBytes) {
        if (line.length() != rowBytes - 1 || !line.startsWith("row-")) {
            return -1;
        }
        try {
            return Long.parseLong(line.substring(4, 14));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Row {@code i} goes to bucket {@code b<i mod buckets>}. */
    private static final class RowBuckets implements BucketAssigner<String, String> {
        private static final long serialVersionUID = 1L;

        private final int buckets;

        RowBuckets(int buckets) {
            this.buckets = buckets;
        }

        @Override
        public String getBucketId(String row, Context context) {
            return "b" + Long.parseLong(row.substring(4, 14)) % buckets;
        }

        @Override
        public SimpleVersionedSerializer<String> getSerializer() {
            return SimpleVersionedStringSerializer.INSTANCE;
        }
    }

    /**
     * Rolls a file at the first checkpoint at which it holds {@code rollBytes} or more, and never
     * between checkpoints; before that, each checkpoint persists it.
     */
    private static final class RollAtCheckpoint implements RollingPolicy<String, String> {
        private static final long serialVersionUID = 1L;

        private final long rollBytes;

        RollAtCheckpoint(long rollBytes) {
            this.rollBytes = rollBytes;
        }

        @Override
        public boolean shouldRollOnCheckpoint(PartFileInfo<String> file) throws IOException {
            return file.getSize() >= rollBytes;
        }

        @Override
        public boolean shouldRollOnEvent(PartFileInfo<String> file, String row) {
            return false;
        }

        @Override
        public boolean shouldRollOnProcessingTime(PartFileInfo<String> file, long now) {
            return false;
        }
    }
}
