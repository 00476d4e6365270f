package io.flinkrecovery.it;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;

import io.flinkrecovery.examples.S3StorageConfig;
import io.flinkrecovery.testing.EmbeddedS3Extension;

import java.time.Duration;
import java.util.Map;

/**
 * MiniCluster and job configurations on the embedded S3 server, as the README's install section.
 */
final class TestClusters {

    private TestClusters() {}

    /**
     * A MiniCluster whose {@code s3://} file system is ours, talking to {@code s3}. Flink's
     * MiniCluster does not initialize file systems itself, so this does, as a TaskManager would.
     */
    static MiniClusterResourceConfiguration miniCluster(EmbeddedS3Extension s3, int slots) {
        return miniCluster(s3, slots, Map.of());
    }

    /** Like {@link #miniCluster(EmbeddedS3Extension, int)}, with JobManager settings added. */
    static MiniClusterResourceConfiguration miniCluster(
            EmbeddedS3Extension s3, int slots, Map<String, String> clusterSettings) {
        Configuration config = Configuration.fromMap(s3.flinkConfig());
        clusterSettings.forEach(config::setString);
        FileSystem.initialize(config, null);
        return new MiniClusterResourceConfiguration.Builder()
                .setConfiguration(config)
                .setNumberTaskManagers(1)
                .setNumberSlotsPerTaskManager(slots)
                .build();
    }

    /** Job configuration that checkpoints to {@code s3://<bucket>/<prefix>/checkpoints}. */
    static Configuration s3Storage(EmbeddedS3Extension s3, String prefix) {
        Configuration config =
                S3StorageConfig.of(
                        s3.flinkConfig(),
                        checkpointDir(s3, prefix),
                        "s3://" + s3.bucket() + "/" + prefix + "/savepoints",
                        Duration.ofMillis(300));
        config.setString("restart-strategy.type", "fixed-delay");
        config.setString("restart-strategy.fixed-delay.attempts", "5");
        config.setString("restart-strategy.fixed-delay.delay", "200ms");
        return config;
    }

    /**
     * {@code hashmap}, {@code incremental-heap} (ours), or {@code rocksdb-incremental}: RocksDB
     * with incremental checkpoints.
     */
    static void useBackend(Configuration config, String backend) {
        switch (backend) {
            case "hashmap":
                config.setString("state.backend.type", "hashmap");
                break;
            case "incremental-heap":
                config.setString(
                        "state.backend.type",
                        "io.flinkrecovery.backend.IncrementalHeapStateBackendFactory");
                break;
            case "rocksdb-incremental":
                config.setString("state.backend.type", "rocksdb");
                config.setString("execution.checkpointing.incremental", "true");
                break;
            default:
                throw new IllegalArgumentException("Unknown backend " + backend);
        }
    }

    static String checkpointDir(EmbeddedS3Extension s3, String prefix) {
        return "s3://" + s3.bucket() + "/" + prefix + "/checkpoints";
    }

    static final Duration TIMEOUT = Duration.ofMinutes(2);
}
