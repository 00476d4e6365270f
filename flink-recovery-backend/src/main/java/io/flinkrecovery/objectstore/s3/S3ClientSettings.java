package io.flinkrecovery.objectstore.s3;

import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.ReadableConfig;

import io.flinkrecovery.config.S3ConnectionOptions;
import io.flinkrecovery.config.S3Options;
import io.flinkrecovery.config.S3Options.ServerSideEncryption;

import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything needed to build an S3 client, read once from Flink's configuration and validated
 * eagerly: a truststore is loaded here already, so a wrong path or password fails at configuration
 * time. Equal settings share one client per process ({@link S3ObjectStores}). {@link #toString()}
 * never shows the secret key or the truststore password.
 */
public final class S3ClientSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    static final long MIN_PART_SIZE = MemorySize.parse("5mb").getBytes();
    static final long MAX_PART_SIZE = MemorySize.parse("5gb").getBytes();

    private final String endpoint;
    private final String region;
    private final String accessKey;
    private final String secretKey;
    private final boolean pathStyleAccess;
    private final long partSize;
    private final int maxPartsInFlight;
    private final int maxAttempts;
    private final int maxReadReopens;
    private final int maxConnections;
    private final Duration connectionTimeout;
    private final Duration socketTimeout;
    private final String truststorePath;
    private final String truststorePassword;
    private final String truststoreType;
    private final ServerSideEncryption sseType;
    private final String sseKmsKeyId;

    private S3ClientSettings(ReadableConfig config) {
        this.endpoint = blankToNull(config.get(S3ConnectionOptions.ENDPOINT));
        this.region = blankToNull(config.get(S3ConnectionOptions.REGION));
        this.accessKey = blankToNull(config.get(S3ConnectionOptions.ACCESS_KEY));
        this.secretKey = blankToNull(config.get(S3ConnectionOptions.SECRET_KEY));
        this.pathStyleAccess = config.get(S3ConnectionOptions.PATH_STYLE_ACCESS);
        this.partSize = config.get(S3Options.UPLOAD_PART_SIZE).getBytes();
        this.maxPartsInFlight = config.get(S3Options.UPLOAD_MAX_PARTS_IN_FLIGHT);
        this.maxAttempts = config.get(S3Options.RETRY_MAX_ATTEMPTS);
        this.maxReadReopens = config.get(S3Options.READ_MAX_REOPENS);
        this.maxConnections = config.get(S3Options.MAX_CONNECTIONS);
        this.connectionTimeout = config.get(S3Options.CONNECTION_TIMEOUT);
        this.socketTimeout = config.get(S3Options.SOCKET_TIMEOUT);
        this.truststorePath = blankToNull(config.get(S3Options.TLS_TRUSTSTORE));
        this.truststorePassword = emptyToNull(config.get(S3Options.TLS_TRUSTSTORE_PASSWORD));
        this.truststoreType = config.get(S3Options.TLS_TRUSTSTORE_TYPE).trim();
        this.sseType = config.get(S3Options.SSE_TYPE);
        this.sseKmsKeyId = blankToNull(config.get(S3Options.SSE_KMS_KEY_ID));
    }

    /**
     * Reads and validates the {@code s3.*} and {@code recovery.s3.*} keys.
     *
     * @throws IllegalConfigurationException naming the first invalid key and its value
     */
    public static S3ClientSettings fromConfig(ReadableConfig config) {
        S3ClientSettings settings;
        try {
            settings = new S3ClientSettings(config);
        } catch (IllegalArgumentException e) {
            // Flink's own parsing error, e.g. "Could not parse value '5 parsecs' for key ..."
            throw new IllegalConfigurationException(
                    "Invalid S3 configuration: " + e.getMessage(), e);
        }
        settings.validate();
        return settings;
    }

    private void validate() {
        if (endpoint != null) {
            URI uri;
            try {
                uri = URI.create(endpoint);
            } catch (IllegalArgumentException e) {
                throw invalid(
                        S3ConnectionOptions.ENDPOINT.key(),
                        endpoint,
                        "must look like https://host[:port]");
            }
            if (uri.getScheme() == null
                    || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                    || uri.getHost() == null) {
                throw invalid(
                        S3ConnectionOptions.ENDPOINT.key(),
                        endpoint,
                        "must look like https://host[:port]");
            }
        }
        if ((accessKey == null) != (secretKey == null)) {
            throw new IllegalConfigurationException(
                    "Invalid S3 credentials: set both "
                            + S3ConnectionOptions.ACCESS_KEY.key()
                            + " and "
                            + S3ConnectionOptions.SECRET_KEY.key()
                            + ", or neither to use the AWS default credential chain");
        }
        if (partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
            throw invalid(
                    S3Options.UPLOAD_PART_SIZE.key(),
                    new MemorySize(partSize).toString(),
                    "must be between 5mb and 5gb");
        }
        requireAtLeast(S3Options.UPLOAD_MAX_PARTS_IN_FLIGHT.key(), maxPartsInFlight, 1);
        requireAtLeast(S3Options.RETRY_MAX_ATTEMPTS.key(), maxAttempts, 1);
        requireAtLeast(S3Options.READ_MAX_REOPENS.key(), maxReadReopens, 0);
        requireAtLeast(S3Options.MAX_CONNECTIONS.key(), maxConnections, 1);
        if (connectionTimeout.isNegative() || connectionTimeout.isZero()) {
            throw invalid(
                    S3Options.CONNECTION_TIMEOUT.key(),
                    connectionTimeout.toString(),
                    "must be > 0");
        }
        if (socketTimeout.isNegative() || socketTimeout.isZero()) {
            throw invalid(S3Options.SOCKET_TIMEOUT.key(), socketTimeout.toString(), "must be > 0");
        }
        if (truststorePath == null && truststorePassword != null) {
            throw new IllegalConfigurationException(
                    "Invalid "
                            + S3Options.TLS_TRUSTSTORE_PASSWORD.key()
                            + ": set without "
                            + S3Options.TLS_TRUSTSTORE.key());
        }
        if (truststorePath != null) {
            // Fail here, on the client or JobManager, rather than in every task.
            TrustStores.load(truststorePath, truststoreType, truststorePassword);
        }
        if (sseType == ServerSideEncryption.SSE_KMS && sseKmsKeyId == null) {
            throw invalid(
                    S3Options.SSE_KMS_KEY_ID.key(),
                    "(none)",
                    "required when " + S3Options.SSE_TYPE.key() + " is SSE_KMS");
        }
        if (sseType != ServerSideEncryption.SSE_KMS && sseKmsKeyId != null) {
            throw invalid(
                    S3Options.SSE_KMS_KEY_ID.key(),
                    sseKmsKeyId,
                    "only for " + S3Options.SSE_TYPE.key() + " SSE_KMS, but it is " + sseType);
        }
    }

    private static void requireAtLeast(String key, int value, int minimum) {
        if (value < minimum) {
            throw invalid(key, Integer.toString(value), "must be ≥ " + minimum);
        }
    }

    private static IllegalConfigurationException invalid(String key, String value, String rule) {
        return new IllegalConfigurationException(
                "Invalid " + key + ": " + value + " (" + rule + ")");
    }

    private static String blankToNull(String value) {
        return value == null || value.trim().isEmpty() ? null : value.trim();
    }

    /** Passwords keep their spaces. */
    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    /** The endpoint override, or null for AWS. */
    public String endpoint() {
        return endpoint;
    }

    public String region() {
        return region;
    }

    String accessKey() {
        return accessKey;
    }

    String secretKey() {
        return secretKey;
    }

    public boolean hasStaticCredentials() {
        return accessKey != null;
    }

    public boolean pathStyleAccess() {
        return pathStyleAccess;
    }

    public long partSize() {
        return partSize;
    }

    public int maxPartsInFlight() {
        return maxPartsInFlight;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    public int maxReadReopens() {
        return maxReadReopens;
    }

    public int maxConnections() {
        return maxConnections;
    }

    public Duration connectionTimeout() {
        return connectionTimeout;
    }

    public Duration socketTimeout() {
        return socketTimeout;
    }

    /** The truststore file that replaces the JVM's default trust, or null for the default. */
    public String truststorePath() {
        return truststorePath;
    }

    String truststorePassword() {
        return truststorePassword;
    }

    public String truststoreType() {
        return truststoreType;
    }

    public ServerSideEncryption sseType() {
        return sseType;
    }

    /** The KMS key of SSE_KMS, or null. */
    public String sseKmsKeyId() {
        return sseKmsKeyId;
    }

    /** Where requests go, for error messages: the endpoint, or "AWS S3". */
    public String describeEndpoint() {
        return endpoint != null ? endpoint : "AWS S3" + (region != null ? " (" + region + ")" : "");
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof S3ClientSettings)) {
            return false;
        }
        S3ClientSettings that = (S3ClientSettings) o;
        return pathStyleAccess == that.pathStyleAccess
                && partSize == that.partSize
                && maxPartsInFlight == that.maxPartsInFlight
                && maxAttempts == that.maxAttempts
                && maxReadReopens == that.maxReadReopens
                && maxConnections == that.maxConnections
                && Objects.equals(endpoint, that.endpoint)
                && Objects.equals(region, that.region)
                && Objects.equals(accessKey, that.accessKey)
                && Objects.equals(secretKey, that.secretKey)
                && connectionTimeout.equals(that.connectionTimeout)
                && socketTimeout.equals(that.socketTimeout)
                && Objects.equals(truststorePath, that.truststorePath)
                && Objects.equals(truststorePassword, that.truststorePassword)
                && truststoreType.equals(that.truststoreType)
                && sseType == that.sseType
                && Objects.equals(sseKmsKeyId, that.sseKmsKeyId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                endpoint, region, accessKey, pathStyleAccess, partSize, maxAttempts, sseType);
    }

    @Override
    public String toString() {
        return "S3ClientSettings{endpoint="
                + describeEndpoint()
                + ", credentials="
                + (hasStaticCredentials()
                        ? "static (access key " + accessKey + ")"
                        : "default chain")
                + ", pathStyleAccess="
                + pathStyleAccess
                + ", partSize="
                + partSize
                + ", maxPartsInFlight="
                + maxPartsInFlight
                + ", maxAttempts="
                + maxAttempts
                + ", tls="
                + (truststorePath != null
                        ? "truststore " + truststorePath + " (" + truststoreType + ")"
                        : "JVM default trust")
                + ", sse="
                + sseType
                + (sseKmsKeyId != null ? " (key " + sseKmsKeyId + ")" : "")
                + "}";
    }
}
