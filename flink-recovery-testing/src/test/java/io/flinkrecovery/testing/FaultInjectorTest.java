package io.flinkrecovery.testing;

import io.flinkrecovery.testing.FaultInjector.Fault;
import io.flinkrecovery.testing.FaultInjector.Operation;
import org.assertj.core.api.AbstractThrowableAssert;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FaultInjectorTest {

    @RegisterExtension
    @Order(1)
    static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("test-bucket");

    private static S3Client noRetries;
    private static S3Client defaultRetries;

    @BeforeAll
    static void createClients() {
        noRetries = TestS3Clients.withoutRetries(S3.server());
        defaultRetries = TestS3Clients.withDefaultRetries(S3.server());
    }

    @AfterAll
    static void closeClients() {
        noRetries.close();
        defaultRetries.close();
    }

    @Test
    void slowDownWithoutRetriesFailsThePutWith503ThenTheNextPutSucceeds() {
        S3.faults().failNext(Operation.PUT_OBJECT, 1, Fault.SLOW_DOWN);

        assertS3Error(() -> put(noRetries, "slow/key", "v1"), 503, "SlowDown")
                .hasMessageContaining("injected on PUT_OBJECT s3://test-bucket/slow/key");
        put(noRetries, "slow/key", "v2");

        assertThat(get(noRetries, "slow/key")).isEqualTo("v2");
        assertThat(S3.faults().injectedCount()).isEqualTo(1);
        assertThat(S3.faults().callCount(Operation.PUT_OBJECT)).isEqualTo(2);
    }

    @Test
    void slowDownWithDefaultRetriesIsRetriedBySdk() {
        S3.faults().failNext(Operation.PUT_OBJECT, 1, Fault.SLOW_DOWN);

        put(defaultRetries, "retried/key", "value");

        assertThat(get(defaultRetries, "retried/key")).isEqualTo("value");
        assertThat(S3.faults().callCount(Operation.PUT_OBJECT)).isEqualTo(2);
        assertThat(S3.faults().injectedCount()).isEqualTo(1);
    }

    @Test
    void latencyDelaysEveryCallUntilSetBackToZero() {
        put(noRetries, "slow/latency", "value");
        S3.faults().setLatency(Duration.ofMillis(300));
        try {
            long start = System.nanoTime();
            assertThat(get(noRetries, "slow/latency")).isEqualTo("value");
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isGreaterThanOrEqualTo(Duration.ofMillis(300));
        } finally {
            S3.faults().setLatency(Duration.ZERO);
        }
        assertThat(S3.faults().injectedCount()).isZero();
        assertThatThrownBy(() -> S3.faults().setLatency(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be ≥ 0");
    }

    @Test
    void failNextFailsExactlyCountCalls() {
        put(noRetries, "counted/key", "value");
        S3.faults().failNext(Operation.GET_OBJECT, 2, Fault.INTERNAL_ERROR);

        assertS3Error(() -> get(noRetries, "counted/key"), 500, "InternalError")
                .hasMessageContaining("injected on GET_OBJECT s3://test-bucket/counted/key");
        assertS3Error(() -> get(noRetries, "counted/key"), 500, "InternalError");
        assertThat(get(noRetries, "counted/key")).isEqualTo("value");

        assertThat(S3.faults().callCount(Operation.GET_OBJECT)).isEqualTo(3);
        assertThat(S3.faults().injectedCount()).isEqualTo(2);
    }

    @Test
    void failAllFailsEveryCallUntilClear() {
        put(noRetries, "all/key", "value");
        S3.faults().failAll(Operation.HEAD_OBJECT, Fault.SLOW_DOWN);

        for (int i = 0; i < 3; i++) {
            // A HEAD response has no body, so only the status reaches the client.
            assertThatThrownBy(
                            () -> noRetries.headObject(b -> b.bucket(S3.bucket()).key("all/key")))
                    .isInstanceOf(S3Exception.class)
                    .satisfies(e -> assertThat(((S3Exception) e).statusCode()).isEqualTo(503));
        }
        assertThat(get(noRetries, "all/key")).isEqualTo("value");

        S3.faults().clear();

        assertThat(noRetries.headObject(b -> b.bucket(S3.bucket()).key("all/key")).contentLength())
                .isEqualTo(5L);
        assertThat(S3.faults().callCount(Operation.HEAD_OBJECT)).isEqualTo(4);
        assertThat(S3.faults().injectedCount()).isEqualTo(3);
    }

    @Test
    void failWhenKeyContainsFailsOnlyMatchingKeys() {
        S3.faults().failWhenKeyContains(Operation.PUT_OBJECT, "chk-2/", Fault.INTERNAL_ERROR);

        put(noRetries, "job/chk-1/state", "one");
        assertS3Error(() -> put(noRetries, "job/chk-2/state", "two"), 500, "InternalError")
                .hasMessageContaining("s3://test-bucket/job/chk-2/state");
        assertS3Error(() -> put(noRetries, "job/chk-2/state", "two"), 500, "InternalError");
        put(noRetries, "job/chk-3/state", "three");

        assertThat(S3.faults().callCount(Operation.PUT_OBJECT)).isEqualTo(4);
        assertThat(S3.faults().injectedCount()).isEqualTo(2);
    }

    @Test
    void listAndDeleteFaults() {
        put(noRetries, "del/a", "a");
        put(noRetries, "del/b", "b");
        S3.faults().failNext(Operation.LIST, 1, Fault.SLOW_DOWN);
        S3.faults().failNext(Operation.DELETE, 2, Fault.SLOW_DOWN);

        assertS3Error(
                        () -> noRetries.listObjectsV2(b -> b.bucket(S3.bucket()).prefix("del/")),
                        503,
                        "SlowDown")
                .hasMessageContaining("injected on LIST s3://test-bucket/del/");
        assertS3Error(
                () -> noRetries.deleteObject(b -> b.bucket(S3.bucket()).key("del/a")),
                503,
                "SlowDown");
        assertS3Error(() -> deleteObjects("del/a", "del/b"), 503, "SlowDown");
        assertThat(listKeys("del/")).containsExactly("del/a", "del/b");

        deleteObjects("del/a", "del/b");

        assertThat(listKeys("del/")).isEmpty();
        assertThat(S3.faults().callCount(Operation.DELETE)).isEqualTo(3);
        assertThat(S3.faults().callCount(Operation.LIST)).isEqualTo(3);
    }

    @Test
    void multipartFaultsOnFilesystemStore() {
        MultipartScenario.run(S3.server(), noRetries, S3.bucket());
    }

    @Test
    void multipartFaultsOnInMemoryStore() {
        try (EmbeddedS3Server server = EmbeddedS3Server.startInMemory();
                S3Client s3 = TestS3Clients.withoutRetries(server)) {
            server.createBucket("memory-bucket");
            MultipartScenario.run(server, s3, "memory-bucket");
        }
    }

    @Test
    void abortIsNeitherADeleteNorACompletion() {
        S3.faults().failAll(Operation.DELETE, Fault.INTERNAL_ERROR);
        S3.faults().failAll(Operation.COMPLETE_MULTIPART, Fault.INTERNAL_ERROR);
        String uploadId =
                noRetries
                        .createMultipartUpload(b -> b.bucket(S3.bucket()).key("aborted/key"))
                        .uploadId();

        noRetries.abortMultipartUpload(
                b -> b.bucket(S3.bucket()).key("aborted/key").uploadId(uploadId));

        assertThat(S3.faults().callCount(Operation.DELETE)).isZero();
        assertThat(S3.faults().callCount(Operation.COMPLETE_MULTIPART)).isZero();
        assertThat(S3.faults().injectedCount()).isZero();
    }

    @Test
    void resetZeroesCountersButClearKeepsThem() {
        S3.faults().failAll(Operation.PUT_OBJECT, Fault.SLOW_DOWN);
        assertS3Error(() -> put(noRetries, "reset/key", "v"), 503, "SlowDown");

        S3.faults().clear();
        put(noRetries, "reset/key", "v");
        assertThat(S3.faults().callCount(Operation.PUT_OBJECT)).isEqualTo(2);
        assertThat(S3.faults().injectedCount()).isEqualTo(1);

        S3.faults().reset();
        assertThat(S3.faults().callCount(Operation.PUT_OBJECT)).isZero();
        assertThat(S3.faults().injectedCount()).isZero();
    }

    @Test
    void failNextRejectsANonPositiveCount() {
        assertThatThrownBy(() -> S3.faults().failNext(Operation.UPLOAD_PART, 0, Fault.SLOW_DOWN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid count for failNext(UPLOAD_PART): 0 (must be ≥ 1)");
    }

    @Test
    void faultsDoNotLeakIntoTheNextTest() {
        // The extension resets after each test, whatever the test above left behind.
        assertThat(S3.faults().injectedCount()).isZero();
        put(noRetries, "leak/key", "v");
        assertThat(S3.faults().callCount(Operation.PUT_OBJECT)).isEqualTo(1);
    }

    static AbstractThrowableAssert<?, ? extends Throwable> assertS3Error(
            ThrowingCallable call, int status, String errorCode) {
        return assertThatThrownBy(call)
                .isInstanceOf(S3Exception.class)
                .satisfies(
                        e -> {
                            S3Exception s3 = (S3Exception) e;
                            assertThat(s3.statusCode()).isEqualTo(status);
                            assertThat(s3.awsErrorDetails().errorCode()).isEqualTo(errorCode);
                        });
    }

    private static void put(S3Client s3, String key, String value) {
        s3.putObject(b -> b.bucket(S3.bucket()).key(key), RequestBody.fromString(value));
    }

    private static String get(S3Client s3, String key) {
        return s3.getObjectAsBytes(b -> b.bucket(S3.bucket()).key(key)).asUtf8String();
    }

    private static List<String> listKeys(String prefix) {
        return noRetries
                .listObjectsV2(b -> b.bucket(S3.bucket()).prefix(prefix))
                .contents()
                .stream()
                .map(S3Object::key)
                .toList();
    }

    private static void deleteObjects(String... keys) {
        var response =
                noRetries.deleteObjects(
                        b ->
                                b.bucket(S3.bucket())
                                        .delete(
                                                Delete.builder()
                                                        .objects(
                                                                Arrays.stream(keys)
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
    }

    /** One multipart upload that meets an UPLOAD_PART fault and a COMPLETE_MULTIPART fault. */
    private static final class MultipartScenario {

        static void run(EmbeddedS3Server server, S3Client s3, String bucket) {
            FaultInjector faults = server.faults();
            // Neither may touch CreateMultipartUpload, whose stub S3Proxy writes with putBlob.
            faults.failAll(Operation.PUT_OBJECT, Fault.INTERNAL_ERROR);
            faults.failWhenKeyContains(Operation.UPLOAD_PART, "mpu/", Fault.SLOW_DOWN);

            String key = "mpu/object";
            String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
            assertS3Error(
                            () ->
                                    s3.uploadPart(
                                            b ->
                                                    b.bucket(bucket)
                                                            .key(key)
                                                            .uploadId(uploadId)
                                                            .partNumber(1),
                                            RequestBody.fromString("only part")),
                            503,
                            "SlowDown")
                    .hasMessageContaining("injected on UPLOAD_PART s3://" + bucket + "/" + key);

            faults.clear();
            String eTag =
                    s3.uploadPart(
                                    b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(1),
                                    RequestBody.fromString("only part"))
                            .eTag();
            faults.failNext(Operation.COMPLETE_MULTIPART, 1, Fault.SLOW_DOWN);
            ThrowingCallable complete =
                    () ->
                            s3.completeMultipartUpload(
                                    b ->
                                            b.bucket(bucket)
                                                    .key(key)
                                                    .uploadId(uploadId)
                                                    .multipartUpload(
                                                            m ->
                                                                    m.parts(
                                                                            CompletedPart.builder()
                                                                                    .partNumber(1)
                                                                                    .eTag(eTag)
                                                                                    .build())));
            assertS3Error(complete, 503, "SlowDown")
                    .hasMessageContaining(
                            "injected on COMPLETE_MULTIPART s3://" + bucket + "/" + key);

            try {
                complete.call();
            } catch (Throwable t) {
                throw new AssertionError("Cannot complete s3://" + bucket + "/" + key, t);
            }

            assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asUtf8String())
                    .isEqualTo("only part");
            assertThat(faults.callCount(Operation.UPLOAD_PART)).isEqualTo(2);
            assertThat(faults.callCount(Operation.COMPLETE_MULTIPART)).isEqualTo(2);
            assertThat(faults.callCount(Operation.PUT_OBJECT)).isZero();
            assertThat(faults.callCount(Operation.DELETE)).isZero();
            assertThat(faults.callCount(Operation.HEAD_OBJECT)).isZero();
            assertThat(faults.injectedCount()).isEqualTo(2);
        }
    }
}
