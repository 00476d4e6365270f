package io.flinkrecovery.fs;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.HighAvailabilityOptions;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.runtime.highavailability.FileSystemJobResultStore;
import org.apache.flink.runtime.highavailability.JobResultStore;
import org.apache.flink.runtime.highavailability.JobResultStoreContractTest;
import org.apache.flink.util.concurrent.Executors;

import io.flinkrecovery.testing.EmbeddedS3Extension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.util.UUID;

/**
 * Flink's contract for job result stores, run on its {@link FileSystemJobResultStore} in an {@code
 * s3://} HA directory. The contract expects clean entries to stay, so it runs with {@code
 * job-result-store.delete-on-commit: false}, where marking a result clean renames it.
 */
class JobResultStoreOnS3ContractTest implements JobResultStoreContractTest {

    @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("jrs-test");

    @BeforeAll
    static void registerFileSystem() {
        FileSystem.initialize(Configuration.fromMap(S3.flinkConfig()), null);
    }

    @Override
    public JobResultStore createJobResultStore() throws IOException {
        Configuration config = Configuration.fromMap(S3.flinkConfig());
        config.set(
                HighAvailabilityOptions.HA_STORAGE_PATH,
                "s3://" + S3.bucket() + "/ha-" + UUID.randomUUID());
        config.set(HighAvailabilityOptions.HA_CLUSTER_ID, "cluster-1");
        config.setString("job-result-store.delete-on-commit", "false");
        return FileSystemJobResultStore.fromConfiguration(config, Executors.directExecutor());
    }
}
