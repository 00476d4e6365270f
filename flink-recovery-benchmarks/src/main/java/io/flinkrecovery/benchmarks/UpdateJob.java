package io.flinkrecovery.benchmarks;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.CommonTestUtils;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.graph.StreamGraph;

import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One submission of the benchmark job: {@link UpdateSource} chained to {@link UpdateFunction} on a
 * keyed stream without a shuffle, so that what differs between runs is the state backend and not
 * the network stack.
 */
final class UpdateJob {

    static final int MAX_PARALLELISM = 128;
    static final Duration TIMEOUT = Duration.ofMinutes(5);

    private final MiniCluster cluster;
    private final JobControl control;
    private final JobID id;
    private final long submittedNanos;

    private UpdateJob(MiniCluster cluster, JobControl control, JobID id, long submittedNanos) {
        this.cluster = cluster;
        this.control = control;
        this.id = id;
        this.submittedNanos = submittedNanos;
    }

    /**
     * Submits the job under {@code control}'s name with {@code config}, restored from {@code
     * restorePath} unless that is null. The clock of {@link #submittedNanos} starts just before the
     * submission.
     */
    static UpdateJob submit(
            MiniCluster cluster,
            Configuration config,
            JobControl control,
            BenchmarkOptions options,
            String restorePath)
            throws Exception {
        Configuration jobConfig = new Configuration(config);
        jobConfig.set(PipelineOptions.NAME, control.name());
        if (restorePath != null) {
            jobConfig.set(StateRecoveryOptions.SAVEPOINT_PATH, restorePath);
        }
        StreamExecutionEnvironment env = new StreamExecutionEnvironment(jobConfig);
        env.setParallelism(options.parallelism);
        env.setMaxParallelism(MAX_PARALLELISM);
        DataStream<Long> records =
                env.addSource(
                                new UpdateSource(control.name(), options.keys, 42),
                                "keys",
                                Types.LONG)
                        .uid("keys");
        DataStreamUtils.reinterpretAsKeyedStream(records, new KeyOf(), Types.LONG)
                .process(
                        new UpdateFunction(control.name(), options.valueSize, options.values),
                        Types.VOID)
                .uid("state")
                .sinkTo(new DiscardingSink<>())
                .uid("discard");
        StreamGraph graph = env.getStreamGraph();
        JobID id = new JobID();
        graph.setJobId(id);
        List<URL> classpath = new ArrayList<>();
        for (String url : jobConfig.getOptional(PipelineOptions.CLASSPATHS).orElse(List.of())) {
            classpath.add(new URL(url));
        }
        graph.setClasspath(classpath);
        control.resetStarted();
        long submitted = System.nanoTime();
        cluster.submitJob(graph).get();
        return new UpdateJob(cluster, control, id, submitted);
    }

    JobID id() {
        return id;
    }

    JobControl control() {
        return control;
    }

    /** Seconds from just before the submission until every source subtask runs. */
    double awaitRunning() throws Exception {
        long started = control.awaitStarted(TIMEOUT);
        return (started - submittedNanos) / 1e9;
    }

    /** Seconds from just before the submission until now. */
    double secondsSinceSubmit() {
        return (System.nanoTime() - submittedNanos) / 1e9;
    }

    long run(JobControl.Kind kind, double fraction, long count) throws Exception {
        return control.run(kind, fraction, count, TIMEOUT);
    }

    /**
     * Triggers a checkpoint and waits until it completed; returns its external pointer. Waits first
     * until every task runs: a small state loads before the sinks are deployed.
     */
    String checkpoint() throws Exception {
        CommonTestUtils.waitForAllTaskRunning(cluster, id, false);
        return cluster.triggerCheckpoint(id).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    CheckpointStatsSnapshot checkpointStats() throws Exception {
        return cluster.getExecutionGraph(id).get().getCheckpointStatsSnapshot();
    }

    void cancel() throws Exception {
        cluster.cancelJob(id).get();
        awaitStatus(JobStatus.CANCELED);
    }

    /** Ends the sources and waits until the job finished. */
    void stop() throws Exception {
        control.run(JobControl.Kind.STOP, 0, 0, TIMEOUT);
        awaitStatus(JobStatus.FINISHED);
    }

    private void awaitStatus(JobStatus status) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            JobStatus now = cluster.getJobStatus(id).get();
            if (now == status) {
                return;
            }
            if (now.isGloballyTerminalState()) {
                throw new IllegalStateException(
                        "Job " + control.name() + " ended " + now + ", expected " + status);
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("Job " + control.name() + " is still " + now);
            }
            Thread.sleep(20);
        }
    }

    /** The key of a record: {@code k} for a write of key k, {@code -k - 1} for a read of it. */
    private static final class KeyOf implements KeySelector<Long, Long> {
        private static final long serialVersionUID = 1L;

        @Override
        public Long getKey(Long record) {
            return record >= 0 ? record : -record - 1;
        }
    }
}
