package io.flinkrecovery.examples.compat;

import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.graph.StreamGraph;

import java.net.URL;
import java.util.List;

/**
 * Submits a pipeline to a MiniCluster as a client's executor does, with its job id and class path.
 * Flink 1.20 submits the job graph made from the stream graph.
 */
public final class JobSubmission {

    private JobSubmission() {}

    public static void submit(MiniCluster cluster, StreamGraph graph, JobID id, List<URL> classpath)
            throws Exception {
        JobGraph jobGraph = graph.getJobGraph(Thread.currentThread().getContextClassLoader(), id);
        jobGraph.setClasspaths(classpath);
        cluster.submitJob(jobGraph).get();
    }
}
