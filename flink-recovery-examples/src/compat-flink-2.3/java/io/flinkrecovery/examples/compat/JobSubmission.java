package io.flinkrecovery.examples.compat;

import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.graph.StreamGraph;

import java.net.URL;
import java.util.List;

/**
 * Submits a pipeline to a MiniCluster as a client's executor does, with its job id and class path.
 * Flink 2.x submits the stream graph itself.
 */
public final class JobSubmission {

    private JobSubmission() {}

    public static void submit(MiniCluster cluster, StreamGraph graph, JobID id, List<URL> classpath)
            throws Exception {
        graph.setJobId(id);
        graph.setClasspath(classpath);
        cluster.submitJob(graph).get();
    }
}
