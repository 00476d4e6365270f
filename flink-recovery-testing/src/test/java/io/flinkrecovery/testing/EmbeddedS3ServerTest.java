package io.flinkrecovery.testing;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.tuple;

class EmbeddedS3ServerTest {

    @RegisterExtension
    @Order(1)
    static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("test-bucket", "other-bucket");

    private static S3Client client;

    @BeforeAll
    static void createClient() {
        client = TestS3Clients.withDefaultRetries(S3.server());
    }

    @AfterAll
    static void closeClient() {
        client.close();
    }

    @Test
    void putGetRangedGetListAndDelete() {
        String bucket = S3.bucket();
        client.putObject(
                b -> b.bucket(bucket).key("put-get/a.bin"), RequestBody.fromString("0123456789"));
        client.putObject(b -> b.bucket(bucket).key("put-get/b.bin"), RequestBody.fromString("b"));

        assertThat(
                        client.getObjectAsBytes(b -> b.bucket(bucket).key("put-get/a.bin"))
                                .asUtf8String())
                .isEqualTo("0123456789");
        ResponseBytes<GetObjectResponse> range =
                client.getObjectAsBytes(
                        b -> b.bucket(bucket).key("put-get/a.bin").range("bytes=2-5"));
        assertThat(range.asUtf8String()).isEqualTo("2345");
        assertThat(range.response().contentRange()).isEqualTo("bytes 2-5/10");

        ListObjectsV2Response listing =
                client.listObjectsV2(b -> b.bucket(bucket).prefix("put-get/"));
        assertThat(listing.contents())
                .extracting(S3Object::key, S3Object::size)
                .containsExactly(tuple("put-get/a.bin", 10L), tuple("put-get/b.bin", 1L));

        client.deleteObject(b -> b.bucket(bucket).key("put-get/a.bin"));
        assertThatThrownBy(() -> client.headObject(b -> b.bucket(bucket).key("put-get/a.bin")))
                .isInstanceOf(NoSuchKeyException.class)
                .satisfies(e -> assertThat(((S3Exception) e).statusCode()).isEqualTo(404));
        assertThat(client.listObjectsV2(b -> b.bucket(bucket).prefix("put-get/")).contents())
                .extracting(S3Object::key)
                .containsExactly("put-get/b.bin");
    }

    @Test
    void deleteObjectsRemovesABatch() {
        String bucket = S3.bucket();
        List<String> keys = IntStream.range(0, 25).mapToObj(i -> "batch/" + i).toList();
        keys.forEach(
                k -> client.putObject(b -> b.bucket(bucket).key(k), RequestBody.fromString(k)));

        var response =
                client.deleteObjects(
                        b ->
                                b.bucket(bucket)
                                        .delete(
                                                Delete.builder()
                                                        .objects(
                                                                keys.stream()
                                                                        .map(
                                                                                k ->
                                                                                        ObjectIdentifier
                                                                                                .builder()
                                                                                                .key(
                                                                                                        k)
                                                                                                .build())
                                                                        .toList())
                                                        .build()));

        assertThat(response.errors()).isEmpty();
        assertThat(response.deleted()).hasSize(25);
        assertThat(client.listObjectsV2(b -> b.bucket(bucket).prefix("batch/")).contents())
                .isEmpty();
    }

    @Test
    void putWithIfNoneMatchStarFailsWith412WhenTheObjectExists() {
        String bucket = S3.bucket();
        client.putObject(
                b -> b.bucket(bucket).key("conditional/_metadata").ifNoneMatch("*"),
                RequestBody.fromString("first"));

        assertThatThrownBy(
                        () ->
                                client.putObject(
                                        b ->
                                                b.bucket(bucket)
                                                        .key("conditional/_metadata")
                                                        .ifNoneMatch("*"),
                                        RequestBody.fromString("second")))
                .isInstanceOf(S3Exception.class)
                .satisfies(
                        e -> {
                            S3Exception s3 = (S3Exception) e;
                            assertThat(s3.statusCode()).isEqualTo(412);
                            assertThat(s3.awsErrorDetails().errorCode())
                                    .isEqualTo("PreconditionFailed");
                        });
        assertThat(
                        client.getObjectAsBytes(b -> b.bucket(bucket).key("conditional/_metadata"))
                                .asUtf8String())
                .isEqualTo("first");
    }

    @Test
    void wrongSecretIsRefused() {
        try (S3Client intruder = TestS3Clients.withSecret(S3.server(), "not-the-secret")) {
            assertThatThrownBy(() -> intruder.listObjectsV2(b -> b.bucket(S3.bucket())))
                    .isInstanceOf(S3Exception.class)
                    .satisfies(e -> assertThat(((S3Exception) e).statusCode()).isEqualTo(403));
        }
    }

    @Test
    void extensionCreatesItsBucketsAndCreateBucketIsIdempotent() {
        EmbeddedS3Server server = S3.server();
        assertThat(server.bucketExists("test-bucket")).isTrue();
        assertThat(server.bucketExists("other-bucket")).isTrue();
        assertThat(server.bucketExists("missing-bucket")).isFalse();

        server.createBucket("late-bucket");
        server.createBucket("late-bucket");

        assertThat(server.bucketExists("late-bucket")).isTrue();
        assertThat(client.headBucket(b -> b.bucket("late-bucket")).sdkHttpResponse().statusCode())
                .isEqualTo(200);
    }

    @Test
    void invalidBucketNamesAreRejectedEagerly() {
        assertThatThrownBy(() -> S3.server().createBucket("ab"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Invalid bucket name: ab (must be 3 to 63 characters: lowercase letters,"
                                + " digits, '.' and '-')");
        assertThatThrownBy(() -> new EmbeddedS3Extension("Upper_Case"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid bucket name: Upper_Case");
    }

    @Test
    void flinkConfigPointsAtTheServer() {
        EmbeddedS3Server server = S3.server();
        assertThat(server.endpoint()).matches("http://127\\.0\\.0\\.1:\\d+");
        assertThat(S3.endpoint()).isEqualTo(server.endpoint());
        assertThat(S3.flinkConfig())
                .containsExactly(
                        entry("s3.endpoint", server.endpoint()),
                        entry("s3.access-key", server.accessKey()),
                        entry("s3.secret-key", server.secretKey()),
                        entry("s3.path.style.access", "true"),
                        entry("s3.region", "us-east-1"));
    }

    @Test
    void filesystemServerKeepsObjectsUnderItsBaseDirectory(@TempDir Path tempDir) throws Exception {
        Path baseDir = tempDir.resolve("not/yet/created");
        try (EmbeddedS3Server server = EmbeddedS3Server.start(baseDir);
                S3Client s3 = TestS3Clients.withDefaultRetries(server)) {
            server.createBucket("disk-bucket");
            s3.putObject(b -> b.bucket("disk-bucket").key("dir/key"), RequestBody.fromString("x"));

            Path stored = baseDir.resolve("disk-bucket").resolve("dir").resolve("key");
            assertThat(stored).exists();
            assertThat(Files.readString(stored, StandardCharsets.UTF_8)).isEqualTo("x");
        }
    }

    @Test
    void inMemoryServerServesRequestsUntilClosed() {
        EmbeddedS3Server server = EmbeddedS3Server.startInMemory();
        try (S3Client s3 = TestS3Clients.withoutRetries(server)) {
            server.createBucket("memory-bucket");
            s3.putObject(b -> b.bucket("memory-bucket").key("k"), RequestBody.fromString("v"));
            assertThat(s3.getObjectAsBytes(b -> b.bucket("memory-bucket").key("k")).asUtf8String())
                    .isEqualTo("v");

            server.close();
            server.close();

            assertThatThrownBy(() -> s3.getObjectAsBytes(b -> b.bucket("memory-bucket").key("k")))
                    .isInstanceOf(SdkClientException.class)
                    .hasMessageContaining("Unable to execute HTTP request");
        } finally {
            server.close();
        }
    }

    @Test
    void serverIsUnavailableOutsideTheTestClassLifecycle() {
        EmbeddedS3Extension unused = new EmbeddedS3Extension("never-started");
        assertThatThrownBy(unused::server)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("EmbeddedS3Extension is not running");
        assertThat(unused.bucket()).isEqualTo("never-started");
    }
}
