package io.flinkrecovery.objectstore.s3;

import io.flinkrecovery.objectstore.RequestCounters;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;

import javax.net.ssl.TrustManager;

import java.net.URI;

/** The one place where S3 clients are built. */
final class S3ClientFactory {

    private S3ClientFactory() {}

    static S3Client create(S3ClientSettings settings, RequestCounters counters) {
        ApacheHttpClient.Builder http =
                ApacheHttpClient.builder()
                        .maxConnections(settings.maxConnections())
                        .connectionTimeout(settings.connectionTimeout())
                        .socketTimeout(settings.socketTimeout());
        if (settings.truststorePath() != null) {
            // Only the truststore's certificates are trusted, instead of the JVM's default ones.
            // It is read again here, on whichever process builds the client.
            TrustManager[] trustManagers = TrustStores.trustManagers(settings);
            http.tlsTrustManagersProvider(() -> trustManagers);
        }
        S3ClientBuilder builder =
                S3Client.builder()
                        .httpClientBuilder(http)
                        .credentialsProvider(credentials(settings))
                        .serviceConfiguration(
                                S3Configuration.builder()
                                        .pathStyleAccessEnabled(settings.pathStyleAccess())
                                        .build())
                        .overrideConfiguration(
                                ClientOverrideConfiguration.builder()
                                        // The SDK's standard strategy retries throttling (503
                                        // SlowDown), 5xx and transport errors with jittered
                                        // backoff. The circuit breaker is off so that a burst of
                                        // throttling cannot turn retries off for the whole process.
                                        .retryStrategy(
                                                AwsRetryStrategy.standardRetryStrategy().toBuilder()
                                                        .maxAttempts(settings.maxAttempts())
                                                        .circuitBreakerEnabled(false)
                                                        .build())
                                        .addExecutionInterceptor(
                                                new RequestCountingInterceptor(counters))
                                        .build());
        if (settings.endpoint() != null) {
            builder.endpointOverride(URI.create(settings.endpoint()));
        }
        if (settings.region() != null) {
            builder.region(Region.of(settings.region()));
        } else if (settings.endpoint() != null) {
            // Self-hosted stores ignore the region, but SigV4 needs one.
            builder.region(Region.US_EAST_1);
        }
        return builder.build();
    }

    private static AwsCredentialsProvider credentials(S3ClientSettings settings) {
        if (settings.hasStaticCredentials()) {
            return StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()));
        }
        return DefaultCredentialsProvider.builder().build();
    }
}
