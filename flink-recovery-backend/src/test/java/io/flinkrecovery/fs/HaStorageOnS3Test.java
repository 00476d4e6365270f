package io.flinkrecovery.fs;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.HighAvailabilityOptions;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.blob.BlobServer;
import org.apache.flink.runtime.blob.BlobStoreService;
import org.apache.flink.runtime.blob.BlobUtils;
import org.apache.flink.runtime.blob.FileSystemBlobStore;
import org.apache.flink.runtime.blob.PermanentBlobKey;
import org.apache.flink.runtime.highavailability.FileSystemJobResultStore;
import org.apache.flink.runtime.highavailability.JobResultEntry;
import org.apache.flink.runtime.highavailability.JobResultStore;
import org.apache.flink.runtime.persistence.RetrievableStateStorageHelper;
import org.apache.flink.runtime.persistence.filesystem.FileSystemStateStorageHelper;
import org.apache.flink.runtime.state.RetrievableStateHandle;
import org.apache.flink.runtime.testutils.TestingJobResultStore;
import org.apache.flink.runtime.util.ZooKeeperUtils;
import org.apache.flink.util.InstantiationUtil;
import org.apache.flink.util.concurrent.Executors;

import io.flinkrecovery.compat.FailedJobResults;
import io.flinkrecovery.objectstore.ObjectInfo;
import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectStore;
import io.flinkrecovery.testing.EmbeddedS3Extension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Flink's own HA storage classes on an {@code s3://} {@code high-availability.storageDir}, through
 * our file system: what a JobManager with ZooKeeper HA writes, reads after a failover, and cleans
 * up when a job ends. Each test builds the classes from the configuration as Flink's HA services
 * do.
 */
class HaStorageOnS3Test {

    @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("ha-test");

    private static final String CLUSTER_ID = "cluster-1";

    @TempDir java.nio.file.Path localDir;

    private Configuration config;

    /** {@code high-availability.storageDir}; the job result store lives below it. */
    private String storageDir;

    /** {@code <storageDir>/<cluster-id>}: blobs and ZooKeeper's state files live below it. */
    private String clusterDir;

    @BeforeAll
    static void registerFileSystem() {
        FileSystem.initialize(Configuration.fromMap(S3.flinkConfig()), null);
    }

    @BeforeEach
    void haConfiguration() {
        storageDir = "s3://" + S3.bucket() + "/ha-" + UUID.randomUUID();
        config = Configuration.fromMap(S3.flinkConfig());
        config.set(HighAvailabilityOptions.HA_MODE, "zookeeper");
        config.set(HighAvailabilityOptions.HA_STORAGE_PATH, storageDir);
        config.set(HighAvailabilityOptions.HA_CLUSTER_ID, CLUSTER_ID);
        clusterDir = storageDir + "/" + CLUSTER_ID;
    }

    /** The JobManager start that exited with 239: mkdirs, then listStatus of the new directory. */
    @Test
    void resultStoresStartOnAFreshHaDirectory() throws IOException {
        assertThat(jobResultStore().getDirtyResults()).isEmpty();
        assertThat(objectsBelow(storageDir)).isEmpty();
    }

    @Test
    void dirtyJobResultSurvivesAFailoverAndIsDeletedWhenClean() throws Exception {
        JobID job = new JobID();
        JobResultStore store = jobResultStore();
        store.getDirtyResults();
        store.createDirtyResultAsync(new JobResultEntry(FailedJobResults.of(job))).get();
        String dirtyEntry =
                storageDir + "/job-result-store/" + CLUSTER_ID + "/" + job + "_DIRTY.json";
        assertThat(objectsBelow(storageDir)).containsExactly(dirtyEntry);

        JobResultStore afterFailover = jobResultStore();
        assertThat(afterFailover.getDirtyResults())
                .singleElement()
                .satisfies(
                        result -> {
                            assertThat(result.getJobId()).isEqualTo(job);
                            assertThat(FailedJobResults.isFailed(result)).isTrue();
                        });
        assertThat(afterFailover.hasDirtyJobResultEntryAsync(job).get()).isTrue();
        assertThatThrownBy(
                        () ->
                                afterFailover
                                        .createDirtyResultAsync(
                                                new JobResultEntry(
                                                        TestingJobResultStore
                                                                .createSuccessfulJobResult(job)))
                                        .get())
                .hasRootCauseInstanceOf(IllegalStateException.class)
                .hasRootCauseMessage("Job result store already contains an entry for job " + job);

        afterFailover.markResultAsCleanAsync(job).get();

        assertThat(afterFailover.hasJobResultEntryAsync(job).get()).isFalse();
        assertThat(afterFailover.getDirtyResults()).isEmpty();
        assertThat(objectsBelow(storageDir)).isEmpty();
    }

    @Test
    void blobStoreServesJarsAfterAFailoverAndCleansUpPerJob() throws Exception {
        BlobStoreService blobStore = BlobUtils.createBlobStoreFromConfig(config);
        assertThat(blobStore).isInstanceOf(FileSystemBlobStore.class);
        JobID jobA = new JobID();
        JobID jobB = new JobID();
        byte[] jarA = bytes(300_000, 1);
        byte[] jarB = bytes(1_000, 2);
        PermanentBlobKey keyA;
        PermanentBlobKey keyB;
        try (BlobServer first = new BlobServer(config, localDir("jm-1"), blobStore)) {
            keyA = first.putPermanent(jobA, jarA);
            keyB = first.putPermanent(jobB, jarB);
        }
        assertThat(objectsBelow(clusterDir + "/blob"))
                .containsExactlyInAnyOrder(
                        clusterDir + "/blob/job_" + jobA + "/blob_" + keyA,
                        clusterDir + "/blob/job_" + jobB + "/blob_" + keyB);

        // A new leader has nothing local: it fetches from the HA store and checks the hash.
        try (BlobServer second =
                new BlobServer(
                        config, localDir("jm-2"), BlobUtils.createBlobStoreFromConfig(config))) {
            assertThat(Files.readAllBytes(second.getFile(jobA, keyA).toPath())).isEqualTo(jarA);

            // Job A ends. FileSystemBlobStore then also deletes the blob root without recursion,
            // which fails while job B's jar is below it; Flink ignores that failure.
            second.globalCleanupAsync(jobA, Executors.directExecutor()).get();
            assertThat(objectsBelow(clusterDir + "/blob"))
                    .containsExactly(clusterDir + "/blob/job_" + jobB + "/blob_" + keyB);
            assertThat(Files.readAllBytes(second.getFile(jobB, keyB).toPath())).isEqualTo(jarB);
        }

        assertThat(blobStore.delete(jobB, keyB)).isTrue();
        assertThat(objectsBelow(clusterDir)).isEmpty();
        assertThat(blobStore.deleteAll(jobB)).as("nothing left is no error").isTrue();

        File copy = localDir.resolve("copy").toFile();
        assertThatThrownBy(() -> blobStore.get(jobB, keyB, copy))
                .isInstanceOf(FileNotFoundException.class)
                .hasMessageStartingWith(
                        "Cannot read " + clusterDir + "/blob/job_" + jobB + "/blob_" + keyB);
    }

    @Test
    void clusterShutdownRemovesEveryBlob() throws Exception {
        BlobStoreService blobStore = BlobUtils.createBlobStoreFromConfig(config);
        try (BlobServer server = new BlobServer(config, localDir("jm"), blobStore)) {
            server.putPermanent(new JobID(), bytes(10, 3));
            server.putPermanent(new JobID(), bytes(10, 4));
        }

        blobStore.cleanupAllData();

        assertThat(objectsBelow(clusterDir)).isEmpty();
    }

    /**
     * What ZooKeeper HA keeps for execution plans and completed checkpoints: the state in a file
     * below the cluster directory, and a handle to it in ZooKeeper.
     */
    @Test
    void stateStorageHelperStoresRetrievesAndDiscards() throws Exception {
        RetrievableStateStorageHelper<ArrayList<String>> checkpoints =
                ZooKeeperUtils.createFileSystemStateStorage(
                        config, ZooKeeperUtils.HA_STORAGE_COMPLETED_CHECKPOINT);
        assertThat(checkpoints).isInstanceOf(FileSystemStateStorageHelper.class);
        ArrayList<String> state = new ArrayList<>(List.of("chk-7", "s3://bucket/ckp/chk-7"));

        RetrievableStateHandle<ArrayList<String>> handle = checkpoints.store(state);

        List<String> stored = objectsBelow(clusterDir);
        assertThat(stored)
                .singleElement()
                .asString()
                .startsWith(clusterDir + "/" + ZooKeeperUtils.HA_STORAGE_COMPLETED_CHECKPOINT);
        assertThat(handle.getStateSize()).isEqualTo(size(stored.get(0)));

        // The handle travels through ZooKeeper to the next leader as bytes.
        RetrievableStateHandle<ArrayList<String>> afterFailover =
                InstantiationUtil.clone(handle, getClass().getClassLoader());
        assertThat(afterFailover.retrieveState()).isEqualTo(state);

        afterFailover.discardState();
        assertThat(objectsBelow(clusterDir)).isEmpty();
        afterFailover.discardState();
    }

    private JobResultStore jobResultStore() throws IOException {
        return FileSystemJobResultStore.fromConfiguration(config, Executors.directExecutor());
    }

    private File localDir(String name) throws IOException {
        return Files.createDirectories(localDir.resolve(name)).toFile();
    }

    private static ObjectStore store() throws IOException {
        return ((S3FileSystem) new Path("s3://" + S3.bucket() + "/").getFileSystem()).objectStore();
    }

    private static List<String> objectsBelow(String directory) throws IOException {
        ObjectLocation prefix = ObjectLocation.parse(directory);
        try (Stream<ObjectInfo> objects =
                store().list(ObjectLocation.of(prefix.bucket(), prefix.asDirectoryKey()))) {
            return objects.map(o -> o.location().toString()).collect(Collectors.toList());
        }
    }

    private static long size(String object) throws IOException {
        return store().head(ObjectLocation.parse(object)).orElseThrow().size();
    }

    private static byte[] bytes(int size, int seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }
}
