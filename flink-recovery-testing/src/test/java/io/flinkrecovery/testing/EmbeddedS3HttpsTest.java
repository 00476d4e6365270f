package io.flinkrecovery.testing;

import io.flinkrecovery.testing.RecordedRequest.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The server over HTTPS with a certificate generated at test time, and the request recorder. The
 * clients here are plain SDK clients; flink-recovery's own client is tested in its module.
 */
class EmbeddedS3HttpsTest {

    @RegisterExtension
    static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("tls-bucket").withHttps();

    @Test
    void certificateIsSelfSignedFor127001AndTheTruststoreHoldsIt() throws Exception {
        X509Certificate certificate = S3.tls().certificate();
        assertThat(S3.endpoint()).startsWith("https://127.0.0.1:");
        assertThat(certificate.getSubjectAlternativeNames())
                .contains(List.of(7, "127.0.0.1"), List.of(2, "localhost"));
        certificate.verify(certificate.getPublicKey());

        KeyStore truststore = KeyStore.getInstance(SelfSignedTls.TRUSTSTORE_TYPE);
        try (InputStream in = Files.newInputStream(S3.tls().truststorePath())) {
            truststore.load(in, S3.tls().truststorePassword().toCharArray());
        }
        assertThat(truststore.size()).isEqualTo(1);
        assertThat(truststore.getCertificate(truststore.aliases().nextElement()))
                .isEqualTo(certificate);
        assertThat(S3.flinkConfig())
                .containsEntry("s3.endpoint", S3.endpoint())
                .containsEntry("recovery.s3.tls.truststore", S3.tls().truststorePath().toString());
    }

    @Test
    void clientThatTrustsTheTruststoreTalksHttpsAndTheRecorderSeesEveryHeader() throws Exception {
        S3.requests().start();
        try (S3Client client = client(trusting(S3.tls()))) {
            client.putObject(
                    b -> b.bucket(S3.bucket()).key("a/sse-s3").serverSideEncryption("AES256"),
                    RequestBody.fromString("one"));
            client.putObject(
                    b ->
                            b.bucket(S3.bucket())
                                    .key("a/sse-kms")
                                    .serverSideEncryption(ServerSideEncryption.AWS_KMS)
                                    .ssekmsKeyId("test-key-1"),
                    RequestBody.fromString("two"));
            String uploadId =
                    client.createMultipartUpload(
                                    b ->
                                            b.bucket(S3.bucket())
                                                    .key("a/mpu")
                                                    .serverSideEncryption(
                                                            ServerSideEncryption.AWS_KMS)
                                                    .ssekmsKeyId("test-key-1"))
                            .uploadId();
            client.abortMultipartUpload(b -> b.bucket(S3.bucket()).key("a/mpu").uploadId(uploadId));
            assertThat(
                            client.getObjectAsBytes(b -> b.bucket(S3.bucket()).key("a/sse-kms"))
                                    .asUtf8String())
                    .isEqualTo("two");
        }

        List<RecordedRequest> requests = S3.requests().requests();
        assertThat(requests)
                .extracting(RecordedRequest::kind)
                .containsExactly(
                        Kind.PUT_OBJECT,
                        Kind.PUT_OBJECT,
                        Kind.CREATE_MULTIPART,
                        Kind.ABORT_MULTIPART,
                        Kind.GET_OBJECT);
        assertThat(requests).allSatisfy(r -> assertThat(r.secure()).isTrue());
        assertThat(requests).allSatisfy(r -> assertThat(r.status()).isBetween(200, 299));
        assertThat(requests.get(0).header("X-Amz-Server-Side-Encryption")).hasValue("AES256");
        assertThat(requests.get(0).key()).isEqualTo("a/sse-s3");
        for (RecordedRequest kms : List.of(requests.get(1), requests.get(2))) {
            assertThat(kms.header("x-amz-server-side-encryption")).hasValue("aws:kms");
            assertThat(kms.header("x-amz-server-side-encryption-aws-kms-key-id"))
                    .hasValue("test-key-1");
        }
        assertThat(requests.get(4).header("x-amz-server-side-encryption")).isEmpty();
    }

    @Test
    void recorderIsOffUntilStartedAndResetAfterEachTest() {
        try (S3Client client = client(trusting(S3.tls()))) {
            client.listObjectsV2(b -> b.bucket(S3.bucket()));
            assertThat(S3.requests().requests()).isEmpty();
            S3.requests().start();
            client.listObjectsV2(b -> b.bucket(S3.bucket()));
            S3.requests().stop();
            client.listObjectsV2(b -> b.bucket(S3.bucket()));
        }
        assertThat(S3.requests().requests())
                .extracting(RecordedRequest::kind)
                .containsExactly(Kind.LIST);
    }

    @Test
    void clientWithTheJvmDefaultTrustRefusesTheCertificate() {
        try (S3Client client = client(null)) {
            assertThatThrownBy(() -> client.listObjectsV2(b -> b.bucket(S3.bucket())))
                    .isInstanceOf(SdkClientException.class)
                    .hasMessageContaining("PKIX path building failed")
                    .hasRootCauseInstanceOf(java.security.cert.CertPathBuilderException.class)
                    .satisfies(e -> assertThat(e).hasCauseInstanceOf(SSLHandshakeException.class));
        }
    }

    @Test
    void clientThatTrustsAnotherCertificateRefusesThisOne(@TempDir Path dir) {
        try (S3Client client = client(trusting(SelfSignedTls.generate(dir)))) {
            assertThatThrownBy(() -> client.listObjectsV2(b -> b.bucket(S3.bucket())))
                    .isInstanceOf(SdkClientException.class)
                    .hasMessageContaining("PKIX path building failed");
        }
    }

    private static TrustManager[] trusting(SelfSignedTls tls) {
        try {
            KeyStore truststore = KeyStore.getInstance(SelfSignedTls.TRUSTSTORE_TYPE);
            try (InputStream in = Files.newInputStream(tls.truststorePath())) {
                truststore.load(in, tls.truststorePassword().toCharArray());
            }
            TrustManagerFactory factory =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(truststore);
            return factory.getTrustManagers();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** A client without retries; {@code trustManagers} null means the JVM's default trust. */
    private static S3Client client(TrustManager[] trustManagers) {
        ApacheHttpClient.Builder http = ApacheHttpClient.builder();
        if (trustManagers != null) {
            http.tlsTrustManagersProvider(() -> trustManagers);
        }
        return S3Client.builder()
                .httpClientBuilder(http)
                .endpointOverride(URI.create(S3.endpoint()))
                .forcePathStyle(true)
                .region(Region.US_EAST_1)
                .credentialsProvider(
                        StaticCredentialsProvider.create(
                                AwsBasicCredentials.create(
                                        S3.server().accessKey(), S3.server().secretKey())))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }
}
