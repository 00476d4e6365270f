package io.flinkrecovery.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

import java.time.Duration;

/**
 * How flink-recovery talks to S3: uploads, retries, reads, connections, TLS and server-side
 * encryption.
 */
public final class S3Options {

    /** Which server-side encryption every write asks S3 for. */
    public enum ServerSideEncryption {
        /** None requested; the bucket's default encryption applies. */
        NONE,
        /** SSE-S3: keys managed by S3 ({@code x-amz-server-side-encryption: AES256}). */
        SSE_S3,
        /** SSE-KMS: a key in AWS KMS ({@code x-amz-server-side-encryption: aws:kms}). */
        SSE_KMS
    }

    public static final ConfigOption<MemorySize> UPLOAD_PART_SIZE =
            ConfigOptions.key("recovery.s3.upload.part-size")
                    .memoryType()
                    .defaultValue(MemorySize.parse("16mb"))
                    .withDescription(
                            "Objects smaller than this go up in one PUT; larger ones as a multipart"
                                    + " upload with parts of this size. At least 5mb (S3's minimum"
                                    + " part size). Memory per upload is about this size times"
                                    + " recovery.s3.upload.max-parts-in-flight. Also the part size"
                                    + " of the s3:// file system's recoverable writer (FileSink),"
                                    + " which buffers at most one part per open file and uploads"
                                    + " it on the writing thread.");

    public static final ConfigOption<Integer> UPLOAD_MAX_PARTS_IN_FLIGHT =
            ConfigOptions.key("recovery.s3.upload.max-parts-in-flight")
                    .intType()
                    .defaultValue(4)
                    .withDescription(
                            "How many parts of one multipart upload are sent at once. Bounds the"
                                    + " memory of an upload together with"
                                    + " recovery.s3.upload.part-size.");

    public static final ConfigOption<Integer> RETRY_MAX_ATTEMPTS =
            ConfigOptions.key("recovery.s3.retry.max-attempts")
                    .intType()
                    .defaultValue(10)
                    .withDescription(
                            "Attempts per request, including the first, for throttling (503"
                                    + " SlowDown), server errors and transport errors. Backoff is"
                                    + " the AWS SDK's standard strategy.");

    public static final ConfigOption<Integer> READ_MAX_REOPENS =
            ConfigOptions.key("recovery.s3.read.max-reopens")
                    .intType()
                    .defaultValue(3)
                    .withDescription(
                            "How often a read that fails mid-stream reopens the object at its"
                                    + " current offset before giving up.");

    public static final ConfigOption<Integer> MAX_CONNECTIONS =
            ConfigOptions.key("recovery.s3.max-connections")
                    .intType()
                    .defaultValue(64)
                    .withDescription("Size of the HTTP connection pool shared by one process.");

    public static final ConfigOption<Duration> CONNECTION_TIMEOUT =
            ConfigOptions.key("recovery.s3.connection-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription("Timeout for opening a connection to s3.endpoint.");

    public static final ConfigOption<Duration> SOCKET_TIMEOUT =
            ConfigOptions.key("recovery.s3.socket-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(60))
                    .withDescription(
                            "Timeout for a stalled read or write on an open connection; the"
                                    + " request is then retried (see recovery.s3.retry.max-attempts).");

    public static final ConfigOption<String> TLS_TRUSTSTORE =
            ConfigOptions.key("recovery.s3.tls.truststore")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Path of a truststore file with the certificates that an https"
                                    + " s3.endpoint may present: its own self-signed certificate,"
                                    + " or the CA that signed it. When set, only these certificates"
                                    + " are trusted, instead of the JVM's default truststore. Read"
                                    + " on every process that talks to S3 (client, JobManager,"
                                    + " TaskManagers), like Flink's security.ssl.rest.truststore;"
                                    + " see also recovery.s3.tls.truststore-password and"
                                    + " recovery.s3.tls.truststore-type.");

    public static final ConfigOption<String> TLS_TRUSTSTORE_PASSWORD =
            ConfigOptions.key("recovery.s3.tls.truststore-password")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Password of recovery.s3.tls.truststore. Never logged; Flink shows"
                                    + " keys that contain 'password' as ******.");

    public static final ConfigOption<String> TLS_TRUSTSTORE_TYPE =
            ConfigOptions.key("recovery.s3.tls.truststore-type")
                    .stringType()
                    .defaultValue("PKCS12")
                    .withDescription(
                            "Type of recovery.s3.tls.truststore, as Java's KeyStore names it:"
                                    + " PKCS12 or JKS.");

    public static final ConfigOption<ServerSideEncryption> SSE_TYPE =
            ConfigOptions.key("recovery.s3.sse.type")
                    .enumType(ServerSideEncryption.class)
                    .defaultValue(ServerSideEncryption.NONE)
                    .withDescription(
                            "Server-side encryption that every write asks for: each PutObject"
                                    + " (including the conditional create of _metadata) and each"
                                    + " CreateMultipartUpload. NONE leaves it to the bucket's"
                                    + " default encryption. SSE_S3 uses keys managed by S3 (AES256)."
                                    + " SSE_KMS uses the AWS KMS key recovery.s3.sse.kms-key-id;"
                                    + " the credentials then also need kms:GenerateDataKey to write"
                                    + " and kms:Decrypt to read.");

    public static final ConfigOption<String> SSE_KMS_KEY_ID =
            ConfigOptions.key("recovery.s3.sse.kms-key-id")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The KMS key for recovery.s3.sse.type SSE_KMS: a key id, key ARN or"
                                    + " alias ARN. Required for SSE_KMS and rejected with any other"
                                    + " type.");

    private S3Options() {}
}
