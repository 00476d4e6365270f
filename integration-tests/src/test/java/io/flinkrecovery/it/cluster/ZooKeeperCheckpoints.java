package io.flinkrecovery.it.cluster;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.CompletedCheckpoint;
import org.apache.flink.runtime.checkpoint.ZooKeeperCheckpointStoreUtil;
import org.apache.flink.runtime.highavailability.zookeeper.CuratorFrameworkWithUnhandledErrorListener;
import org.apache.flink.runtime.state.RetrievableStateHandle;
import org.apache.flink.runtime.util.StateHandleStoreUtils;
import org.apache.flink.runtime.util.ZooKeeperUtils;

import java.util.List;
import java.util.Optional;

/**
 * Reads a job's completed checkpoints the way a new leading JobManager does: the checkpoint ids are
 * ZooKeeper nodes under {@code jobs/<job>/checkpoints}, each holding a handle to the serialized
 * checkpoint in the HA storage directory (on {@code s3://}, read through our file system).
 */
final class ZooKeeperCheckpoints {

    /** The newest checkpoint ZooKeeper lists, its id and the pointer of its {@code _metadata}. */
    record Newest(long id, String externalPointer) {}

    private ZooKeeperCheckpoints() {}

    static Optional<Newest> newest(Configuration clusterConfig, JobID job) throws Exception {
        CuratorFrameworkWithUnhandledErrorListener curator =
                ZooKeeperUtils.startCuratorFramework(
                        clusterConfig,
                        error -> {
                            throw new IllegalStateException("ZooKeeper client failed", error);
                        });
        try (curator) {
            String path = ZooKeeperUtils.getJobsPath() + ZooKeeperUtils.getPathForJob(job);
            String checkpoints = path + "/checkpoints";
            List<String> names = curator.asCuratorFramework().getChildren().forPath(checkpoints);
            Optional<String> newest =
                    names.stream()
                            .max(
                                    (a, b) ->
                                            Long.compare(
                                                    ZooKeeperCheckpointStoreUtil.INSTANCE
                                                            .nameToCheckpointID(a),
                                                    ZooKeeperCheckpointStoreUtil.INSTANCE
                                                            .nameToCheckpointID(b)));
            if (newest.isEmpty()) {
                return Optional.empty();
            }
            byte[] data =
                    curator.asCuratorFramework()
                            .getData()
                            .forPath(checkpoints + "/" + newest.get());
            RetrievableStateHandle<CompletedCheckpoint> handle =
                    StateHandleStoreUtils.deserialize(data);
            CompletedCheckpoint checkpoint = handle.retrieveState();
            return Optional.of(
                    new Newest(checkpoint.getCheckpointID(), checkpoint.getExternalPointer()));
        }
    }
}
