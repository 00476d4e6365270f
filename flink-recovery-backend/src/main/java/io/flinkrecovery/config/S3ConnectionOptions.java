package io.flinkrecovery.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * Flink's standard {@code s3.*} connection keys. They are the same keys {@code flink-s3-fs-presto}
 * and {@code flink-s3-fs-hadoop} read, so an existing configuration works unchanged.
 */
public final class S3ConnectionOptions {

    public static final ConfigOption<String> ENDPOINT =
            ConfigOptions.key("s3.endpoint")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Endpoint of the S3-compatible store, for example http://127.0.0.1:9000."
                                    + " Without it, the AWS endpoint of s3.region is used.");

    public static final ConfigOption<String> REGION =
            ConfigOptions.key("s3.region")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Signing region. Without it, the AWS default region chain is used, or"
                                    + " us-east-1 when s3.endpoint is set.");

    public static final ConfigOption<String> ACCESS_KEY =
            ConfigOptions.key("s3.access-key")
                    .stringType()
                    .noDefaultValue()
                    .withFallbackKeys("s3.access.key")
                    .withDescription(
                            "Access key id. Set it together with s3.secret-key; without both, the"
                                    + " AWS default credential chain is used.");

    public static final ConfigOption<String> SECRET_KEY =
            ConfigOptions.key("s3.secret-key")
                    .stringType()
                    .noDefaultValue()
                    .withFallbackKeys("s3.secret.key")
                    .withDescription(
                            "Secret access key that goes with s3.access-key. Never logged.");

    public static final ConfigOption<Boolean> PATH_STYLE_ACCESS =
            ConfigOptions.key("s3.path.style.access")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Address buckets as http://endpoint/bucket instead of"
                                    + " http://bucket.endpoint; most self-hosted stores need true.");

    private S3ConnectionOptions() {}
}
