package io.flinkrecovery.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

import java.time.Duration;

/** How flink-recovery talks to S3: uploads, retries, reads and connections. */
public final class S3Options {

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

    private S3Options() {}
}
