package io.flinkrecovery.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * JUnit 5 extension that runs an {@link EmbeddedS3Server} on a temporary directory for the whole
 * test class, with the given buckets created, and clears its faults and recorded requests after
 * each test. Register it on a static field: {@code @RegisterExtension @Order(1) static final
 * EmbeddedS3Extension S3 = new EmbeddedS3Extension("test-bucket");}, optionally with {@link
 * #withHttps()} or {@link #withCredentials}.
 */
public final class EmbeddedS3Extension
        implements BeforeAllCallback, AfterAllCallback, AfterEachCallback {

    private final List<String> buckets;

    private volatile boolean https;
    private volatile String accessKey;
    private volatile String secretKey;

    private volatile EmbeddedS3Server server;
    private volatile Path baseDir;
    private volatile Path tlsDir;

    /** The context that started the server; @Nested classes reuse the outer class's server. */
    private volatile String ownerId;

    /** Creates {@code bucket}, which {@link #bucket()} returns, and any {@code moreBuckets}. */
    public EmbeddedS3Extension(String bucket, String... moreBuckets) {
        List<String> names = new ArrayList<>();
        names.add(bucket);
        names.addAll(List.of(moreBuckets));
        names.forEach(EmbeddedS3Server::checkBucketName);
        this.buckets = List.copyOf(names);
    }

    /**
     * Serves HTTPS only, with a {@link SelfSignedTls} certificate generated when the server starts;
     * {@link #flinkConfig()} then holds the truststore that trusts it.
     */
    public EmbeddedS3Extension withHttps() {
        checkNotStarted();
        this.https = true;
        return this;
    }

    /** Accepts only these credentials instead of the server's default ones. */
    public EmbeddedS3Extension withCredentials(String accessKey, String secretKey) {
        checkNotStarted();
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        return this;
    }

    private void checkNotStarted() {
        if (server != null) {
            throw new IllegalStateException("EmbeddedS3Extension is already running");
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        if (server != null) {
            return;
        }
        baseDir = Files.createTempDirectory("flink-recovery-s3-");
        EmbeddedS3Server.Builder builder = EmbeddedS3Server.builder().baseDir(baseDir);
        if (https) {
            tlsDir = Files.createTempDirectory("flink-recovery-s3-tls-");
            builder.https(SelfSignedTls.generate(tlsDir));
        }
        if (accessKey != null) {
            builder.credentials(accessKey, secretKey);
        }
        server = builder.start();
        buckets.forEach(server::createBucket);
        ownerId = context.getUniqueId();
    }

    /**
     * Removes the test's faults, zeroes the counters and forgets recorded requests, so each test
     * starts from a clean slate.
     */
    @Override
    public void afterEach(ExtensionContext context) {
        EmbeddedS3Server current = server;
        if (current != null) {
            current.faults().reset();
            current.requests().reset();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server == null || !context.getUniqueId().equals(ownerId)) {
            return;
        }
        try {
            server.close();
        } finally {
            server = null;
            ownerId = null;
            try {
                deleteRecursively(baseDir);
            } finally {
                deleteRecursively(tlsDir);
                tlsDir = null;
            }
        }
    }

    /** The running server; only between beforeAll and afterAll. */
    public EmbeddedS3Server server() {
        EmbeddedS3Server current = server;
        if (current == null) {
            throw new IllegalStateException(
                    "EmbeddedS3Extension is not running: register it with @RegisterExtension on a"
                            + " static field, and use it only while the test class runs");
        }
        return current;
    }

    /** The first bucket given to the constructor. */
    public String bucket() {
        return buckets.get(0);
    }

    public String endpoint() {
        return server().endpoint();
    }

    public Map<String, String> flinkConfig() {
        return server().flinkConfig();
    }

    public FaultInjector faults() {
        return server().faults();
    }

    public RequestRecorder requests() {
        return server().requests();
    }

    /** The certificate and truststore; only for a server started {@link #withHttps()}. */
    public SelfSignedTls tls() {
        return server().tls()
                .orElseThrow(
                        () ->
                                new IllegalStateException(
                                        "EmbeddedS3Extension serves plain HTTP: call withHttps()"));
    }

    private static void deleteRecursively(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete S3 base directory " + root, e);
        }
    }
}
