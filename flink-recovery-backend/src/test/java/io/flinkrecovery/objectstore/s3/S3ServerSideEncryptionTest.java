package io.flinkrecovery.objectstore.s3;

import org.apache.flink.configuration.Configuration;

import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectOutputStream;
import io.flinkrecovery.objectstore.UploadedPart;
import io.flinkrecovery.objectstore.WriteMode;
import io.flinkrecovery.testing.EmbeddedS3Extension;
import io.flinkrecovery.testing.RecordedRequest;
import io.flinkrecovery.testing.RecordedRequest.Kind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static io.flinkrecovery.objectstore.s3.S3ObjectStoreTest.randomBytes;
import static io.flinkrecovery.objectstore.s3.S3ObjectStoreTest.readAll;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code recovery.s3.sse.*} reaches the server on every request that creates an object: PutObject
 * (a plain write, a small stream, the conditional create of {@code _metadata}) and
 * CreateMultipartUpload (overwriting, conditional, or the recoverable writer's); and never on
 * UploadPart or CompleteMultipartUpload, where S3 refuses SSE-S3 and SSE-KMS headers. The server's
 * {@link io.flinkrecovery.testing.RequestRecorder} sees the headers as they came over the wire.
 *
 * <p>S3Proxy's filesystem store answers every SSE header with 501 NotImplemented; the embedded
 * server's blob store accepts them as S3 does (S3Proxy still checks that a KMS key id comes only
 * with {@code aws:kms}) and stores the objects unencrypted. What this test proves is what our
 * client sends, not that anything is encrypted at rest.
 */
class S3ServerSideEncryptionTest {

    private static final int MB = 1024 * 1024;
    private static final String SSE = "x-amz-server-side-encryption";
    private static final String KMS_KEY_ID = "x-amz-server-side-encryption-aws-kms-key-id";
    private static final String KEY_ARN =
            "arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    /** The requests that create an object, and so must carry the encryption. */
    private static final Set<Kind> CREATING =
            Set.of(Kind.PUT_OBJECT, Kind.CREATE_MULTIPART, Kind.COPY_OBJECT);

    @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("sse-test");

    private final List<S3ObjectStore> stores = new ArrayList<>();
    private String prefix;

    @BeforeEach
    void newPrefix() {
        prefix = "t-" + UUID.randomUUID() + "/";
    }

    @AfterEach
    void closeStores() {
        stores.forEach(S3ObjectStore::close);
    }

    private S3ObjectStore store(Map<String, String> sse) {
        Map<String, String> entries = new HashMap<>(S3.flinkConfig());
        entries.put("recovery.s3.upload.part-size", "5mb");
        entries.putAll(sse);
        S3ObjectStore store =
                new S3ObjectStore(S3ClientSettings.fromConfig(Configuration.fromMap(entries)));
        stores.add(store);
        return store;
    }

    private ObjectLocation at(String name) {
        return ObjectLocation.of(S3.bucket(), prefix + name);
    }

    @Test
    void sseS3IsOnEveryPutAndMultipartCreate() throws IOException {
        List<RecordedRequest> requests =
                writeEveryWay(store(Map.of("recovery.s3.sse.type", "SSE_S3")));

        assertThat(creating(requests))
                .allSatisfy(
                        r -> {
                            assertThat(r.header(SSE)).as(r.toString()).hasValue("AES256");
                            assertThat(r.header(KMS_KEY_ID)).as(r.toString()).isEmpty();
                        });
        assertThat(notCreating(requests))
                .allSatisfy(r -> assertThat(r.header(SSE)).as(r.toString()).isEmpty());
    }

    @Test
    void sseKmsWithItsKeyIsOnEveryPutAndMultipartCreate() throws IOException {
        List<RecordedRequest> requests =
                writeEveryWay(
                        store(
                                Map.of(
                                        "recovery.s3.sse.type",
                                        "SSE_KMS",
                                        "recovery.s3.sse.kms-key-id",
                                        KEY_ARN)));

        assertThat(creating(requests))
                .allSatisfy(
                        r -> {
                            assertThat(r.header(SSE)).as(r.toString()).hasValue("aws:kms");
                            assertThat(r.header(KMS_KEY_ID)).as(r.toString()).hasValue(KEY_ARN);
                        });
        assertThat(notCreating(requests))
                .allSatisfy(
                        r -> {
                            assertThat(r.header(SSE)).as(r.toString()).isEmpty();
                            assertThat(r.header(KMS_KEY_ID)).as(r.toString()).isEmpty();
                        });
    }

    @Test
    void withoutSseNoRequestAsksForEncryption() throws IOException {
        List<RecordedRequest> requests = writeEveryWay(store(Map.of()));

        assertThat(requests)
                .allSatisfy(
                        r ->
                                assertThat(r.headers().keySet())
                                        .as(r.toString())
                                        .noneMatch(
                                                name ->
                                                        name.toLowerCase()
                                                                .startsWith(
                                                                        "x-amz-server-side-encryption")));
    }

    /**
     * Writes a small object, a conditional create, a small stream, and a multipart stream both
     * overwriting and conditional; reads one back; and returns what the server recorded, having
     * checked that every write was accepted and that every kind of write was seen.
     */
    private List<RecordedRequest> writeEveryWay(S3ObjectStore store) throws IOException {
        S3.requests().start();
        byte[] small = randomBytes(1000, 1);
        store.put(at("small"), small);
        store.putIfAbsent(at("chk-1/_metadata"), small);
        try (ObjectOutputStream out = store.create(at("small-stream"), WriteMode.OVERWRITE)) {
            out.write(small);
        }
        byte[] large = randomBytes(6 * MB, 2);
        try (ObjectOutputStream out = store.create(at("multipart"), WriteMode.OVERWRITE)) {
            out.write(large);
        }
        try (ObjectOutputStream out = store.create(at("chk-2/_metadata"), WriteMode.CREATE_NEW)) {
            out.write(large);
        }
        // The recoverable writer's upload, driven part by part.
        String uploadId = store.startMultipartUpload(at("part-0"), "write-id");
        UploadedPart part = store.uploadPart(at("part-0"), uploadId, 1, small, small.length);
        store.completeMultipartUpload(at("part-0"), uploadId, List.of(part));
        assertThat(readAll(store.open(at("multipart")))).isEqualTo(large);
        S3.requests().stop();

        List<RecordedRequest> requests = S3.requests().requests();
        assertThat(requests)
                .allSatisfy(r -> assertThat(r.status()).as(r.toString()).isBetween(200, 299));
        Map<Kind, Long> counts =
                requests.stream()
                        .collect(
                                Collectors.groupingBy(
                                        RecordedRequest::kind, Collectors.counting()));
        assertThat(counts)
                .containsEntry(Kind.PUT_OBJECT, 3L)
                .containsEntry(Kind.CREATE_MULTIPART, 3L)
                .containsEntry(Kind.UPLOAD_PART, 5L)
                .containsEntry(Kind.COMPLETE_MULTIPART, 3L);
        assertThat(
                        requests.stream()
                                .filter(r -> r.kind() == Kind.PUT_OBJECT)
                                .filter(r -> r.header("If-None-Match").isPresent()))
                .as("the conditional create of _metadata")
                .extracting(RecordedRequest::key)
                .containsExactly(prefix + "chk-1/_metadata");
        return requests;
    }

    private static List<RecordedRequest> creating(List<RecordedRequest> requests) {
        return requests.stream()
                .filter(r -> CREATING.contains(r.kind()))
                .collect(Collectors.toList());
    }

    private static List<RecordedRequest> notCreating(List<RecordedRequest> requests) {
        return requests.stream()
                .filter(r -> !CREATING.contains(r.kind()))
                .collect(Collectors.toList());
    }
}
