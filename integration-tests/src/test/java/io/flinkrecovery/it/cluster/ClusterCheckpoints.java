package io.flinkrecovery.it.cluster;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FileSystem;

import io.flinkrecovery.inspect.InspectionReport;
import io.flinkrecovery.inspect.OrphanReport;
import io.flinkrecovery.inspect.RestoreInspector;
import io.flinkrecovery.objectstore.ObjectInfo;
import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectStore;
import io.flinkrecovery.storage.S3CheckpointStorage;
import io.flinkrecovery.testing.EmbeddedS3Server;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The checkpoints of the cluster's jobs as our restore inspector sees them, read through the S3
 * server's own endpoint, which no injected fault reaches: a test's checks must not fail because of
 * the faults it injects into the cluster.
 */
final class ClusterCheckpoints {

    private final ObjectStore store;
    private final RestoreInspector inspector;

    private ClusterCheckpoints(ObjectStore store) {
        this.store = store;
        this.inspector = new RestoreInspector(store);
    }

    static ClusterCheckpoints of(S3ServerProcess s3) {
        Configuration config = new Configuration();
        EmbeddedS3Server.flinkConfig(s3.directEndpoint()).forEach(config::setString);
        config.setString("execution.checkpointing.dir", checkpointsDir());
        // Flink's loader of _metadata opens s3:// paths through Flink's file systems.
        FileSystem.initialize(config, null);
        return new ClusterCheckpoints(S3CheckpointStorage.fromConfig(config).objectStore());
    }

    /** Such as {@code s3://it-cluster/checkpoints/<job>}. */
    static String jobDir(JobID job) {
        return checkpointsDir() + "/" + job;
    }

    /** The pointer of checkpoint {@code id} of {@code job}. */
    static String pointer(JobID job, long id) {
        return jobDir(job) + "/chk-" + id;
    }

    /** Fast validation of the checkpoint at {@code pointer}: HEAD of every referenced object. */
    InspectionReport validate(String pointer) throws IOException {
        return inspector.validate(pointer, false);
    }

    boolean hasMetadata(JobID job, long id) throws IOException {
        return store.head(ObjectLocation.parse(pointer(job, id) + "/_metadata")).isPresent();
    }

    boolean exists(ObjectLocation object) throws IOException {
        return store.head(object).isPresent();
    }

    /** Every object of checkpoint {@code id}'s own directory. */
    List<ObjectInfo> checkpointObjects(JobID job, long id) throws IOException {
        try (Stream<ObjectInfo> objects =
                store.list(ObjectLocation.parse(pointer(job, id) + "/"))) {
            return objects.collect(Collectors.toList());
        }
    }

    /**
     * The objects of {@code job} that no retained checkpoint references, however young: a dry run
     * of the inspector's {@code orphans} without a grace period.
     */
    List<ObjectInfo> unreferenced(JobID job) throws IOException {
        OrphanReport report = inspector.orphans(jobDir(job), Duration.ZERO, false, Instant.now());
        return report.orphans();
    }

    private static String checkpointsDir() {
        return "s3://" + HaCluster.BUCKET + "/checkpoints";
    }
}
