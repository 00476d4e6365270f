package io.flinkrecovery.testing;

import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * An S3-compatible server (S3Proxy) on 127.0.0.1 in this JVM, speaking the real S3 REST protocol
 * with SigV4 authentication over HTTP, or over HTTPS with a {@link SelfSignedTls} certificate.
 * Objects live on local disk or in memory, a {@link FaultInjector} can make chosen requests fail
 * with real S3 errors, and a {@link RequestRecorder} can record the headers of every request.
 */
public final class EmbeddedS3Server implements AutoCloseable {

    private static final String ACCESS_KEY = "flink-recovery-test";
    private static final String SECRET_KEY = "flink-recovery-test-secret";
    private static final String REGION = "us-east-1";

    private static final long START_TIMEOUT_MILLIS = 30_000;

    private static final Pattern BUCKET_NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    private final S3Proxy proxy;

    /** The unwrapped store, for setup calls that must not count as client calls. */
    private final BlobStore store;

    private final FaultInjector faults;
    private final RequestRecorder requests;
    private final String endpoint;
    private final String description;
    private final String accessKey;
    private final String secretKey;

    /** Null for plain HTTP. */
    private final SelfSignedTls tls;

    private boolean closed;

    private EmbeddedS3Server(
            S3Proxy proxy,
            BlobStore store,
            FaultInjector faults,
            RequestRecorder requests,
            String description,
            Builder builder) {
        this.proxy = proxy;
        this.store = store;
        this.faults = faults;
        this.requests = requests;
        this.tls = builder.tls;
        this.endpoint =
                tls == null
                        ? "http://127.0.0.1:" + proxy.getPort()
                        : "https://127.0.0.1:" + proxy.getSecurePort();
        this.description = description;
        this.accessKey = builder.accessKey;
        this.secretKey = builder.secretKey;
    }

    /**
     * A server with other than the defaults: HTTPS, other credentials. {@link #start(Path)}, {@link
     * #start(Path, int)} and {@link #startInMemory()} are shortcuts for the common cases.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Options of a server to start; each has a default. */
    public static final class Builder {
        private Path baseDir;
        private int port;
        private SelfSignedTls tls;
        private String accessKey = ACCESS_KEY;
        private String secretKey = SECRET_KEY;

        private Builder() {}

        /** Keeps buckets as directories under {@code baseDir}; in memory without it. */
        public Builder baseDir(Path baseDir) {
            this.baseDir = Objects.requireNonNull(baseDir, "baseDir");
            return this;
        }

        /** Listens on this port of 127.0.0.1; 0, the default, picks a free one. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(
                        "Invalid port: " + port + " (must be 0 to 65535; 0 picks a free one)");
            }
            this.port = port;
            return this;
        }

        /** Serves HTTPS only, presenting {@code tls}'s certificate, instead of HTTP. */
        public Builder https(SelfSignedTls tls) {
            this.tls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        /** The only credentials the server accepts (SigV2 or SigV4). */
        public Builder credentials(String accessKey, String secretKey) {
            this.accessKey = Objects.requireNonNull(accessKey, "accessKey");
            this.secretKey = Objects.requireNonNull(secretKey, "secretKey");
            return this;
        }

        /** Starts the server; returns once it accepts requests. */
        public EmbeddedS3Server start() {
            Properties properties = new Properties();
            properties.setProperty("jclouds.identity", accessKey);
            properties.setProperty("jclouds.credential", secretKey);
            if (baseDir == null) {
                return EmbeddedS3Server.start(
                        BlobStores.create("transient", properties), "in-memory", this);
            }
            Path dir = baseDir.toAbsolutePath();
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create S3 base directory " + dir, e);
            }
            properties.setProperty("jclouds.filesystem.basedir", dir.toString());
            return EmbeddedS3Server.start(
                    BlobStores.create("filesystem", properties), "filesystem " + dir, this);
        }
    }

    /**
     * Starts a server that keeps its buckets as directories under {@code baseDir}, which is created
     * if needed. Returns once the server accepts requests.
     */
    public static EmbeddedS3Server start(Path baseDir) {
        return start(baseDir, 0);
    }

    /**
     * Like {@link #start(Path)}, on the given port of 127.0.0.1; port 0 picks a free one, which
     * {@link #endpoint()} then names.
     */
    public static EmbeddedS3Server start(Path baseDir, int port) {
        return builder().baseDir(baseDir).port(port).start();
    }

    /** Starts a server that keeps everything in memory. Returns once it accepts requests. */
    public static EmbeddedS3Server startInMemory() {
        return builder().start();
    }

    private static EmbeddedS3Server start(BlobStore store, String description, Builder options) {
        FaultInjector faults = new FaultInjector();
        S3Proxy.Builder builder =
                S3Proxy.builder()
                        .blobStore(new FaultInjectingBlobStore(store, faults))
                        .awsAuthentication(
                                AuthenticationType.AWS_V2_OR_V4,
                                options.accessKey,
                                options.secretKey)
                        // The SDK's multipart clients send headers S3Proxy does not know.
                        .ignoreUnknownHeaders(true)
                        // Stop at once: a graceful stop waits 2 s for any idle keep-alive
                        // connection a client left open, and a test's requests are over anyway.
                        .stopTimeout(0);
        if (options.tls == null) {
            builder.endpoint(URI.create("http://127.0.0.1:" + options.port));
        } else {
            builder.secureEndpoint(URI.create("https://127.0.0.1:" + options.port))
                    .sslContext(options.tls.serverContext());
            description += ", https";
        }
        S3Proxy proxy = builder.build();
        RequestRecorder requests = new RequestRecorder();
        requests.installInto(proxy);
        try {
            proxy.start();
            awaitStarted(proxy);
        } catch (Exception e) {
            IllegalStateException failure =
                    new IllegalStateException(
                            "Cannot start S3Proxy (" + description + ") on 127.0.0.1", e);
            try {
                proxy.stop();
            } catch (Exception stopFailure) {
                failure.addSuppressed(stopFailure);
            }
            store.close();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw failure;
        }
        return new EmbeddedS3Server(proxy, store, faults, requests, description, options);
    }

    private static void awaitStarted(S3Proxy proxy) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MILLIS);
        while (!"STARTED".equals(proxy.getState())) {
            if ("FAILED".equals(proxy.getState()) || System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Proxy state is " + proxy.getState());
            }
            Thread.sleep(10);
        }
    }

    /**
     * The base URL of the server, such as {@code http://127.0.0.1:43121}, or {@code
     * https://127.0.0.1:43121} for a server that serves HTTPS.
     */
    public String endpoint() {
        return endpoint;
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    /** The certificate and truststore of a server that serves HTTPS; empty for plain HTTP. */
    public Optional<SelfSignedTls> tls() {
        return Optional.ofNullable(tls);
    }

    /** Creates the bucket unless it exists. Not a client call: never counted or failed. */
    public void createBucket(String name) {
        checkBucketName(name);
        if (store.containerExists(name)) {
            return;
        }
        try {
            store.createContainer(name);
        } catch (BucketAlreadyOwnedByYouException e) {
            // A concurrent createBucket won; the bucket exists either way.
        }
    }

    public boolean bucketExists(String name) {
        Objects.requireNonNull(name, "name");
        return store.containerExists(name);
    }

    /**
     * The keys of multipart uploads that were started and neither completed nor aborted. Not a
     * client call: never counted or failed.
     */
    public List<String> pendingMultipartUploads(String bucket) {
        return store.listMultipartUploads(bucket).stream()
                .map(software.amazon.awssdk.services.s3.model.MultipartUpload::key)
                .collect(Collectors.toList());
    }

    /**
     * The Flink configuration entries for an S3 client of this server, in a fixed order; for a
     * server that serves HTTPS, with the truststore that trusts it ({@link
     * SelfSignedTls#flinkConfig()}).
     */
    public Map<String, String> flinkConfig() {
        Map<String, String> config =
                new LinkedHashMap<>(flinkConfig(endpoint, accessKey, secretKey));
        if (tls != null) {
            config.putAll(tls.flinkConfig());
        }
        return Collections.unmodifiableMap(config);
    }

    /**
     * The Flink configuration entries for an S3 client of the server at {@code endpoint}, which
     * runs in another process ({@link S3ServerMain}) with the default credentials, in a fixed
     * order.
     */
    public static Map<String, String> flinkConfig(String endpoint) {
        return Collections.unmodifiableMap(flinkConfig(endpoint, ACCESS_KEY, SECRET_KEY));
    }

    private static Map<String, String> flinkConfig(
            String endpoint, String accessKey, String secretKey) {
        Objects.requireNonNull(endpoint, "endpoint");
        Map<String, String> config = new LinkedHashMap<>();
        config.put("s3.endpoint", endpoint);
        config.put("s3.access-key", accessKey);
        config.put("s3.secret-key", secretKey);
        config.put("s3.path.style.access", "true");
        config.put("s3.region", REGION);
        return config;
    }

    public FaultInjector faults() {
        return faults;
    }

    /** Records the headers of the requests this server receives; off until started. */
    public RequestRecorder requests() {
        return requests;
    }

    /** Stops the server at once, aborting any request still in flight. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            proxy.stop();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("Cannot stop S3Proxy at " + endpoint, e);
        } finally {
            store.close();
        }
    }

    @Override
    public String toString() {
        return "EmbeddedS3Server{" + endpoint + ", " + description + "}";
    }

    static void checkBucketName(String name) {
        Objects.requireNonNull(name, "name");
        if (!BUCKET_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "Invalid bucket name: "
                            + name
                            + " (must be 3 to 63 characters: lowercase letters, digits, '.' and '-')");
        }
    }
}
