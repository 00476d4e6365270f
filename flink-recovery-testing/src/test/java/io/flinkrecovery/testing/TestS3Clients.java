package io.flinkrecovery.testing;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

import java.net.URI;
import java.time.Duration;

/** SDK v2 clients for an {@link EmbeddedS3Server}, configured as the shared notes prescribe. */
final class TestS3Clients {

    private TestS3Clients() {}

    /** A client with the SDK's default retry strategy. */
    static S3Client withDefaultRetries(EmbeddedS3Server server) {
        return builder(server).build();
    }

    /** A client that makes exactly one attempt per request. */
    static S3Client withoutRetries(EmbeddedS3Server server) {
        return builder(server)
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    /** A client without retries that signs with {@code secretKey} instead of the server's. */
    static S3Client withSecret(EmbeddedS3Server server, String secretKey) {
        return builder(server, secretKey)
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    /**
     * A client of {@code server} through {@code endpoint} (such as a {@link FaultProxy}), with the
     * given socket timeout, and the SDK's default retries or none.
     */
    static S3Client through(
            EmbeddedS3Server server, String endpoint, Duration socketTimeout, boolean retries) {
        S3ClientBuilder builder =
                builder(server)
                        .endpointOverride(URI.create(endpoint))
                        .httpClientBuilder(ApacheHttpClient.builder().socketTimeout(socketTimeout));
        if (!retries) {
            builder.overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
        }
        return builder.build();
    }

    private static S3ClientBuilder builder(EmbeddedS3Server server) {
        return builder(server, server.secretKey());
    }

    private static S3ClientBuilder builder(EmbeddedS3Server server, String secretKey) {
        return S3Client.builder()
                .httpClientBuilder(ApacheHttpClient.builder())
                .endpointOverride(URI.create(server.endpoint()))
                .forcePathStyle(true)
                .region(Region.US_EAST_1)
                .credentialsProvider(
                        StaticCredentialsProvider.create(
                                AwsBasicCredentials.create(server.accessKey(), secretKey)));
    }
}
