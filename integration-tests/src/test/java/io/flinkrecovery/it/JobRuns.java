package io.flinkrecovery.it;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.RestoredCheckpointStats;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import io.flinkrecovery.examples.totals.RunningTotalsJob;

import static org.awaitility.Awaitility.await;

/** Starts the example job on the test MiniCluster and waits for it. */
final class JobRuns {

    private JobRuns() {}

    static JobID start(Configuration config, RunningTotalsJob job, int parallelism)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(parallelism);
        job.addTo(env);
        return env.executeAsync(job.runId()).getJobID();
    }

    static void awaitStatus(MiniCluster flink, JobID job, JobStatus status) {
        await().alias("job " + job + " " + status)
                .atMost(TestClusters.TIMEOUT)
                .pollInterval(java.time.Duration.ofMillis(100))
                .until(() -> flink.getJobStatus(job).get() == status);
    }

    /** The checkpoint or savepoint the job last restored from, or null. */
    static RestoredCheckpointStats restoredFrom(MiniCluster flink, JobID job) throws Exception {
        return flink.getExecutionGraph(job)
                .get()
                .getCheckpointStatsSnapshot()
                .getLatestRestoredCheckpoint();
    }
}
