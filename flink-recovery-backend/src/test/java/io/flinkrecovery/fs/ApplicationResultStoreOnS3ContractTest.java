package io.flinkrecovery.fs;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.HighAvailabilityOptions;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.runtime.highavailability.ApplicationResultStore;
import org.apache.flink.runtime.highavailability.ApplicationResultStoreContractTest;
import org.apache.flink.runtime.highavailability.FileSystemApplicationResultStore;
import org.apache.flink.util.concurrent.Executors;

import io.flinkrecovery.testing.EmbeddedS3Extension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Flink's contract for application result stores, run on its {@link
 * FileSystemApplicationResultStore} in an {@code s3://} HA directory. The contract expects clean
 * entries to stay, so it runs with {@code application-result-store.delete-on-commit: false}, where
 * marking a result clean renames it. Application result stores came with Flink 2.x, so the Flink
 * 1.20 build leaves this class out.
 */
class ApplicationResultStoreOnS3ContractTest implements ApplicationResultStoreContractTest {

    @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("ars-test");

    @BeforeAll
    static void registerFileSystem() {
        FileSystem.initialize(Configuration.fromMap(S3.flinkConfig()), null);
    }

    /** The JobManager start that exited with 239: mkdirs, then listStatus of the new directory. */
    @Test
    void startsOnAFreshHaDirectory() throws IOException {
        assertThat(createApplicationResultStore().getDirtyResults()).isEmpty();
    }

    @Override
    public ApplicationResultStore createApplicationResultStore() throws IOException {
        Configuration config = Configuration.fromMap(S3.flinkConfig());
        config.set(
                HighAvailabilityOptions.HA_STORAGE_PATH,
                "s3://" + S3.bucket() + "/ha-" + UUID.randomUUID());
        config.set(HighAvailabilityOptions.HA_CLUSTER_ID, "cluster-1");
        config.setString("application-result-store.delete-on-commit", "false");
        return FileSystemApplicationResultStore.fromConfiguration(
                config, Executors.directExecutor());
    }
}
