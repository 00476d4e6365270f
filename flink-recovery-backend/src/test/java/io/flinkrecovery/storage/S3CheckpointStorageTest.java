package io.flinkrecovery.storage;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.runtime.state.CheckpointMetadataOutputStream;
import org.apache.flink.runtime.state.CheckpointStateOutputStream;
import org.apache.flink.runtime.state.CheckpointStorageAccess;
import org.apache.flink.runtime.state.CheckpointStorageLocation;
import org.apache.flink.runtime.state.CheckpointedStateScope;
import org.apache.flink.runtime.state.CompletedCheckpointStorageLocation;
import org.apache.flink.runtime.state.StreamStateHandle;
import org.apache.flink.runtime.state.filesystem.FileStateHandle;
import org.apache.flink.runtime.state.memory.ByteStreamStateHandle;

import io.flinkrecovery.objectstore.ObjectInfo;
import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectStore;
import io.flinkrecovery.objectstore.RequestCounters;
import io.flinkrecovery.objectstore.RequestKind;
import io.flinkrecovery.testing.EmbeddedS3Extension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The storage's layout, inlining, commit and resolution against a real S3-compatible server. */
class S3CheckpointStorageTest {

    @RegisterExtension
    static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("storage-test");

    private String base;
    private S3CheckpointStorage storage;
    private ObjectStore store;

    @BeforeAll
    static void registerFileSystem() {
        FileSystem.initialize(Configuration.fromMap(S3.flinkConfig()), null);
    }

    @BeforeEach
    void newStorage() {
        base = "s3://" + S3.bucket() + "/ckp-" + UUID.randomUUID();
        storage = S3CheckpointStorage.fromConfig(config(Map.of()));
        store = storage.objectStore();
    }

    private Configuration config(Map<String, String> extra) {
        Configuration config = Configuration.fromMap(S3.flinkConfig());
        config.setString("execution.checkpointing.dir", base);
        config.setString("execution.checkpointing.savepoint-dir", base + "-savepoints");
        // These tests write made-up _metadata bytes; the restore inspector's validation of real
        // checkpoints is covered by RestoreInspectorITCase.
        config.setString("recovery.restore.validate", "false");
        extra.forEach(config::setString);
        return config;
    }

    @Test
    void smallStateIsInlinedAndLargeStateBecomesAnObjectInTheLayout() throws IOException {
        JobID job = new JobID();
        CheckpointStorageAccess access = storage.createCheckpointStorage(job);
        access.initializeBaseLocationsForCheckpoint();
        CheckpointStorageLocation location = access.initializeLocationForCheckpoint(7);

        StreamStateHandle small = write(location, CheckpointedStateScope.EXCLUSIVE, 100);
        StreamStateHandle exclusive = write(location, CheckpointedStateScope.EXCLUSIVE, 50_000);
        StreamStateHandle shared = write(location, CheckpointedStateScope.SHARED, 50_000);

        assertThat(small).isInstanceOf(ByteStreamStateHandle.class);
        String jobDir = base + "/" + job + "/";
        assertThat(((FileStateHandle) exclusive).getFilePath().toString())
                .startsWith(jobDir + "chk-7/");
        assertThat(((FileStateHandle) shared).getFilePath().toString())
                .startsWith(jobDir + "shared/");
        assertThat(exclusive.getStateSize()).isEqualTo(50_000);
        assertThat(readAll(exclusive)).isEqualTo(bytes(50_000));
    }

    @Test
    void metadataIsTheCommitAndResolvesFromDirectoryOrFile() throws Exception {
        JobID job = new JobID();
        CheckpointStorageLocation location =
                storage.createCheckpointStorage(job).initializeLocationForCheckpoint(3);
        StreamStateHandle state = write(location, CheckpointedStateScope.EXCLUSIVE, 40_000);

        CheckpointMetadataOutputStream metadata = location.createMetadataOutputStream();
        metadata.write(bytes(1234));
        String chk = base + "/" + job + "/chk-3";
        assertThat(store.head(ObjectLocation.parse(chk + "/_metadata")))
                .as("not before commit")
                .isEmpty();
        CompletedCheckpointStorageLocation completed = metadata.closeAndFinalizeCheckpoint();

        assertThat(completed.getExternalPointer()).isEqualTo(chk);
        for (String pointer : List.of(chk, chk + "/", chk + "/_metadata")) {
            CompletedCheckpointStorageLocation resolved = storage.resolveCheckpoint(pointer);
            assertThat(resolved.getExternalPointer()).as(pointer).isEqualTo(chk);
            assertThat(readAll(resolved.getMetadataHandle())).as(pointer).isEqualTo(bytes(1234));
        }
        assertThatThrownBy(location::createMetadataOutputStream)
                .isInstanceOf(IOException.class)
                .hasMessageContaining(chk + "/_metadata")
                .hasMessageContaining("already exists");

        // Disposal as Flink does it: discard the handles, then the location.
        state.discardState();
        completed.getMetadataHandle().discardState();
        completed.disposeStorageLocation();
        assertThat(list(chk + "/")).isEmpty();
    }

    /**
     * Flink writes {@code _metadata} through the file system's recoverable writer when it has one;
     * the storage's file system has none, so that the commit stays one conditional PUT, which fails
     * if an object appeared at the key meanwhile instead of replacing it.
     */
    @Test
    void metadataIsOneConditionalPutEvenThoughOurFileSystemHasARecoverableWriter()
            throws Exception {
        JobID job = new JobID();
        CheckpointStorageLocation location =
                storage.createCheckpointStorage(job).initializeLocationForCheckpoint(4);
        assertThat(FileSystem.get(URI.create(base)).createRecoverableWriter()).isNotNull();
        ObjectLocation metadataObject = ObjectLocation.parse(base + "/" + job + "/chk-4/_metadata");

        RequestCounters.Snapshot before = store.counters().snapshot();
        CheckpointMetadataOutputStream metadata = location.createMetadataOutputStream();
        metadata.write(bytes(100));
        metadata.closeAndFinalizeCheckpoint();
        RequestCounters.Snapshot sent = store.counters().snapshot().minus(before);
        assertThat(sent.requests(RequestKind.PUT)).isEqualTo(1);
        assertThat(sent.requests(RequestKind.MULTIPART_CONTROL)).isZero();
        assertThat(store.head(metadataObject).orElseThrow().writeId())
                .as("tagged by the conditional create")
                .isPresent();

        CheckpointStorageLocation racing =
                storage.createCheckpointStorage(job).initializeLocationForCheckpoint(5);
        CheckpointMetadataOutputStream late = racing.createMetadataOutputStream();
        late.write(bytes(100));
        ObjectLocation raced = ObjectLocation.parse(base + "/" + job + "/chk-5/_metadata");
        store.put(raced, new byte[] {42});
        assertThatThrownBy(late::closeAndFinalizeCheckpoint)
                .isInstanceOf(IOException.class)
                .hasMessageContaining(raced.toString())
                .cause()
                .isInstanceOf(FileAlreadyExistsException.class)
                .hasMessageEndingWith("Cannot create " + raced + ": the object already exists");
        // (Flink's FsCheckpointMetadataOutputStream then deletes the path it failed to create,
        // which here is the other writer's object: not ours to change.)
    }

    @Test
    void disposingACheckpointNeverTouchesSharedState() throws Exception {
        JobID job = new JobID();
        CheckpointStorageLocation location =
                storage.createCheckpointStorage(job).initializeLocationForCheckpoint(5);
        StreamStateHandle shared = write(location, CheckpointedStateScope.SHARED, 30_000);
        write(location, CheckpointedStateScope.EXCLUSIVE, 30_000);

        location.disposeOnFailure();

        assertThat(list(base + "/" + job + "/chk-5/")).isEmpty();
        assertThat(list(base + "/" + job + "/shared/"))
                .containsExactly(((FileStateHandle) shared).getFilePath().toString());
    }

    @Test
    void savepointsGoToTheSavepointDirectory() throws IOException {
        CheckpointStorageLocation savepoint =
                storage.createCheckpointStorage(new JobID())
                        .initializeLocationForSavepoint(9, null);
        CheckpointMetadataOutputStream metadata = savepoint.createMetadataOutputStream();
        metadata.write(bytes(10));
        String pointer = metadata.closeAndFinalizeCheckpoint().getExternalPointer();

        assertThat(pointer).startsWith(base + "-savepoints/savepoint-");
        assertThat(readAll(storage.resolveCheckpoint(pointer).getMetadataHandle()))
                .isEqualTo(bytes(10));
    }

    @Test
    void pointerToMissingCheckpointIsNamed() {
        String missing = base + "/" + new JobID() + "/chk-99";
        assertThatThrownBy(() -> storage.resolveCheckpoint(missing))
                .isInstanceOf(FileNotFoundException.class)
                .hasMessageStartingWith(
                        "Cannot restore from "
                                + missing
                                + ": no checkpoint or savepoint is stored there.");
    }

    @Test
    void pointerToIncompleteCheckpointSaysMetadataIsMissing() throws IOException {
        JobID job = new JobID();
        CheckpointStorageLocation location =
                storage.createCheckpointStorage(job).initializeLocationForCheckpoint(4);
        write(location, CheckpointedStateScope.EXCLUSIVE, 30_000);
        String chk = base + "/" + job + "/chk-4";

        assertThatThrownBy(() -> storage.resolveCheckpoint(chk))
                .isInstanceOf(FileNotFoundException.class)
                .hasMessageContaining(
                        "Cannot restore from "
                                + chk
                                + ": the checkpoint has no _metadata ("
                                + chk
                                + "/_metadata)");
    }

    @Test
    void missingBucketFailsWhenTheJobStarts() {
        Configuration config = config(Map.of());
        config.setString("execution.checkpointing.dir", "s3://missing-bucket/ckp");
        CheckpointStorageAccess access;
        try {
            access = S3CheckpointStorage.fromConfig(config).createCheckpointStorage(new JobID());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertThatThrownBy(access::initializeBaseLocationsForCheckpoint)
                .isInstanceOf(FileNotFoundException.class)
                .hasMessageContaining("bucket 'missing-bucket' does not exist");
    }

    @Test
    void invalidConfigurationIsRejectedWithTheKey() {
        assertThatThrownBy(() -> S3CheckpointStorage.fromConfig(new Configuration()))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessage(
                        "Missing execution.checkpointing.dir: S3CheckpointStorage needs s3://<bucket>/<prefix>");
        assertThatThrownBy(
                        () ->
                                S3CheckpointStorage.fromConfig(
                                        config(Map.of("execution.checkpointing.dir", "hdfs:///x"))))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessage(
                        "Invalid execution.checkpointing.dir: hdfs:///x (expected s3://<bucket>/<prefix>)");
        assertThatThrownBy(
                        () ->
                                S3CheckpointStorage.fromConfig(
                                        config(Map.of("recovery.storage.inline-threshold", "2mb"))))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageStartingWith(
                        "Invalid recovery.storage.inline-threshold: 2 mb (must be ≤ 1mb");
        assertThatThrownBy(
                        () ->
                                new S3CheckpointStorageFactory()
                                        .createFromConfig(
                                                config(
                                                        Map.of(
                                                                "recovery.s3.upload.part-size",
                                                                "1mb")),
                                                getClass().getClassLoader()))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessage(
                        "Invalid recovery.s3.upload.part-size: 1 mb (must be between 5mb and 5gb)");
    }

    @Test
    void inlineThresholdFallsBackToFlinksKey() {
        S3CheckpointStorage configured =
                S3CheckpointStorage.fromConfig(
                        config(Map.of("execution.checkpointing.data-inline-threshold", "1kb")));
        assertThat(configured.getInlineThreshold()).isEqualTo(1024);
    }

    @Test
    void isSerializableWithoutLeakingTheSecret() throws Exception {
        S3CheckpointStorage copy =
                org.apache.flink.util.InstantiationUtil.clone(storage, getClass().getClassLoader());
        assertThat(copy).isEqualTo(storage);
        assertThat(storage.toString()).doesNotContain(S3.server().secretKey());
    }

    private List<String> list(String prefix) throws IOException {
        try (Stream<ObjectInfo> objects = store.list(ObjectLocation.parse(prefix))) {
            return objects.map(o -> o.location().toString()).collect(Collectors.toList());
        }
    }

    private static StreamStateHandle write(
            CheckpointStorageLocation location, CheckpointedStateScope scope, int size)
            throws IOException {
        try (CheckpointStateOutputStream out = location.createCheckpointStateOutputStream(scope)) {
            out.write(bytes(size));
            return out.closeAndGetHandle();
        }
    }

    private static byte[] bytes(int size) {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        return data;
    }

    private static byte[] readAll(StreamStateHandle handle) throws IOException {
        try (InputStream in = handle.openInputStream()) {
            return in.readAllBytes();
        }
    }
}
