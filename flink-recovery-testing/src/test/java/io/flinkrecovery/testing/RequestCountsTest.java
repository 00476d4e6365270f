package io.flinkrecovery.testing;

import io.flinkrecovery.testing.RecordedRequest.Kind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequestCountsTest {

    @RegisterExtension
    @Order(1)
    static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("counted");

    private static S3Client client;

    @BeforeAll
    static void createClient() {
        client = TestS3Clients.withoutRetries(S3.server());
    }

    @AfterAll
    static void closeClient() {
        client.close();
    }

    @Test
    void countsEveryKindAndTheObjectBytesUploaded() {
        String bucket = S3.bucket();
        S3.requests().start();
        client.putObject(b -> b.bucket(bucket).key("a"), RequestBody.fromString("0123456789"));
        client.copyObject(
                b ->
                        b.sourceBucket(bucket)
                                .sourceKey("a")
                                .destinationBucket(bucket)
                                .destinationKey("b"));
        String uploadId = client.createMultipartUpload(b -> b.bucket(bucket).key("c")).uploadId();
        String etag =
                client.uploadPart(
                                b -> b.bucket(bucket).key("c").uploadId(uploadId).partNumber(1),
                                RequestBody.fromString("part"))
                        .eTag();
        client.completeMultipartUpload(
                b ->
                        b.bucket(bucket)
                                .key("c")
                                .uploadId(uploadId)
                                .multipartUpload(
                                        u ->
                                                u.parts(
                                                        CompletedPart.builder()
                                                                .partNumber(1)
                                                                .eTag(etag)
                                                                .build())));
        String aborted = client.createMultipartUpload(b -> b.bucket(bucket).key("d")).uploadId();
        client.abortMultipartUpload(b -> b.bucket(bucket).key("d").uploadId(aborted));
        client.headObject(b -> b.bucket(bucket).key("c"));
        assertThatThrownBy(() -> client.headObject(b -> b.bucket(bucket).key("missing")))
                .isInstanceOf(NoSuchKeyException.class)
                .hasMessageContaining("404");
        client.getObjectAsBytes(b -> b.bucket(bucket).key("c"));
        client.listObjectsV2(b -> b.bucket(bucket).prefix("a"));
        client.listMultipartUploads(b -> b.bucket(bucket));
        client.getBucketLocation(b -> b.bucket(bucket));
        client.headBucket(b -> b.bucket(bucket));
        client.deleteObject(b -> b.bucket(bucket).key("b"));
        S3.requests().stop();

        RequestCounts counts = S3.requests().counts();
        assertThat(counts.count(Kind.PUT_OBJECT)).isOne();
        assertThat(counts.count(Kind.COPY_OBJECT)).isOne();
        assertThat(counts.count(Kind.CREATE_MULTIPART)).isEqualTo(2);
        assertThat(counts.count(Kind.UPLOAD_PART)).isOne();
        assertThat(counts.count(Kind.COMPLETE_MULTIPART)).isOne();
        assertThat(counts.count(Kind.ABORT_MULTIPART)).isOne();
        assertThat(counts.count(Kind.HEAD_OBJECT)).isEqualTo(2);
        assertThat(counts.count(Kind.GET_OBJECT)).isOne();
        assertThat(counts.count(Kind.LIST)).as("objects and multipart uploads").isEqualTo(2);
        assertThat(counts.count(Kind.OTHER)).as("bucket location and HEAD bucket").isEqualTo(2);
        assertThat(counts.count(Kind.DELETE)).isOne();
        assertThat(counts.total()).isEqualTo(15);
        assertThat(counts.failed()).as("the HEAD of a missing object").isOne();
        assertThat(counts.payloadBytes())
                .as("object data only: the PUT's 10 bytes and the part's 4, no XML bodies")
                .isEqualTo(14);
        assertThat(counts.toString())
                .startsWith("PUT_OBJECT=1 COPY_OBJECT=1 CREATE_MULTIPART=2 UPLOAD_PART=1")
                .endsWith(", 14 bytes uploaded, 1 failed");
    }
}
