package io.flinkrecovery.storage;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.state.CheckpointMetadataOutputStream;
import org.apache.flink.runtime.state.CheckpointStateOutputStream;
import org.apache.flink.runtime.state.CheckpointStorageAccess;
import org.apache.flink.runtime.state.CheckpointStorageLocation;
import org.apache.flink.runtime.state.CheckpointedStateScope;
import org.apache.flink.runtime.state.CompletedCheckpointStorageLocation;
import org.apache.flink.runtime.state.StreamStateHandle;
import org.apache.flink.runtime.state.filesystem.FileStateHandle;

import io.flinkrecovery.fs.S3FileSystem;
import io.flinkrecovery.testing.EmbeddedS3Extension;
import io.flinkrecovery.testing.RecordedRequest;
import io.flinkrecovery.testing.RecordedRequest.Kind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.net.ssl.SSLHandshakeException;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A checkpoint written, committed, resolved and read back through {@link S3CheckpointStorage} and
 * Flink's {@code s3://} FileSystem over HTTPS, with SSE-KMS: every request goes over TLS and every
 * object-creating request asks for the KMS key. The embedded server accepts SSE headers and stores
 * the objects unencrypted (see {@code S3ServerSideEncryptionTest}).
 */
class S3CheckpointStorageHttpsTest {

    private static final String KEY_ID = "alias/flink-checkpoints";

    @RegisterExtension
    static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("https-storage").withHttps();

    private String base;

    @BeforeAll
    static void registerFileSystem() {
        FileSystem.initialize(Configuration.fromMap(config(Map.of())), null);
    }

    @AfterAll
    static void unregisterFileSystem() {
        FileSystem.initialize(new Configuration(), null);
    }

    @BeforeEach
    void newBase() {
        base = "s3://" + S3.bucket() + "/ckp-" + UUID.randomUUID();
    }

    private static Map<String, String> config(Map<String, String> overrides) {
        Map<String, String> config = new HashMap<>(S3.flinkConfig());
        config.put("recovery.s3.upload.part-size", "5mb");
        config.put("recovery.s3.sse.type", "SSE_KMS");
        config.put("recovery.s3.sse.kms-key-id", KEY_ID);
        // The _metadata written here is made up; RestoreInspectorITCase validates real ones.
        config.put("recovery.restore.validate", "false");
        config.putAll(overrides);
        return config;
    }

    private S3CheckpointStorage storage(Map<String, String> overrides) {
        Configuration config = Configuration.fromMap(config(overrides));
        config.setString("execution.checkpointing.dir", base);
        return S3CheckpointStorage.fromConfig(config);
    }

    @Test
    void checkpointOverHttpsWithSseKmsIsWrittenCommittedResolvedAndRead() throws Exception {
        S3CheckpointStorage storage = storage(Map.of());
        JobID job = new JobID();
        S3.requests().start();

        CheckpointStorageAccess access = storage.createCheckpointStorage(job);
        access.initializeBaseLocationsForCheckpoint();
        CheckpointStorageLocation location = access.initializeLocationForCheckpoint(1);
        StreamStateHandle exclusive = write(location, CheckpointedStateScope.EXCLUSIVE, 50_000);
        StreamStateHandle shared =
                write(location, CheckpointedStateScope.SHARED, 6 * 1024 * 1024); // multipart
        CheckpointMetadataOutputStream metadata = location.createMetadataOutputStream();
        metadata.write(bytes(2000));
        String pointer = metadata.closeAndFinalizeCheckpoint().getExternalPointer();

        CompletedCheckpointStorageLocation resolved = storage.resolveCheckpoint(pointer);
        assertThat(readAll(resolved.getMetadataHandle())).isEqualTo(bytes(2000));
        assertThat(readAll(exclusive)).isEqualTo(bytes(50_000));
        assertThat(readAll(shared)).isEqualTo(bytes(6 * 1024 * 1024));

        // What Flink's file sinks and HA services do through the FileSystem: write, rename.
        Path from = new Path(base + "/fs/dirty");
        Path to = new Path(base + "/fs/clean");
        FileSystem fs = from.getFileSystem();
        assertThat(fs).isInstanceOf(S3FileSystem.class);
        try (FSDataOutputStream out = fs.create(from, FileSystem.WriteMode.NO_OVERWRITE)) {
            out.write(bytes(300));
        }
        assertThat(fs.rename(from, to)).isTrue();
        try (InputStream in = fs.open(to)) {
            assertThat(in.readAllBytes()).isEqualTo(bytes(300));
        }
        S3.requests().stop();

        List<RecordedRequest> requests = S3.requests().requests();
        assertThat(requests).allSatisfy(r -> assertThat(r.secure()).as(r.toString()).isTrue());
        Set<Kind> creating = Set.of(Kind.PUT_OBJECT, Kind.CREATE_MULTIPART, Kind.COPY_OBJECT);
        List<RecordedRequest> writes =
                requests.stream()
                        .filter(r -> creating.contains(r.kind()))
                        .collect(Collectors.toList());
        assertThat(writes)
                .allSatisfy(r -> assertThat(r.status()).as(r.toString()).isBetween(200, 299));
        assertThat(writes)
                .extracting(RecordedRequest::key)
                .contains(
                        keyOf(((FileStateHandle) exclusive).getFilePath()),
                        keyOf(((FileStateHandle) shared).getFilePath()),
                        keyOf(new Path(pointer + "/_metadata")),
                        keyOf(from),
                        keyOf(to));
        assertThat(writes)
                .allSatisfy(
                        r -> {
                            assertThat(r.header("x-amz-server-side-encryption"))
                                    .as(r.toString())
                                    .hasValue("aws:kms");
                            assertThat(r.header("x-amz-server-side-encryption-aws-kms-key-id"))
                                    .as(r.toString())
                                    .hasValue(KEY_ID);
                        });
        assertThat(requests)
                .filteredOn(r -> r.kind() == Kind.UPLOAD_PART)
                .isNotEmpty()
                .allSatisfy(r -> assertThat(r.header("x-amz-server-side-encryption")).isEmpty());
    }

    @Test
    void withoutTheTruststoreTheJobFailsAtStartNamingTheEndpointAndTheOption() throws IOException {
        Map<String, String> withoutTruststore = new HashMap<>();
        withoutTruststore.put("recovery.s3.retry.max-attempts", "1");
        Configuration config = Configuration.fromMap(config(withoutTruststore));
        config.removeKey("recovery.s3.tls.truststore");
        config.removeKey("recovery.s3.tls.truststore-password");
        config.setString("execution.checkpointing.dir", base);
        CheckpointStorageAccess access =
                S3CheckpointStorage.fromConfig(config).createCheckpointStorage(new JobID());

        assertThatThrownBy(access::initializeBaseLocationsForCheckpoint)
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageStartingWith("Cannot list " + base + "/")
                .hasMessageContaining(
                        ": the TLS certificate of " + S3.endpoint() + " is not trusted (")
                .hasMessageEndingWith(
                        "Set recovery.s3.tls.truststore to a truststore that holds the server's"
                                + " certificate or the CA that signed it.");
    }

    private static String keyOf(Path path) {
        return path.toUri().getPath().substring(1);
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
