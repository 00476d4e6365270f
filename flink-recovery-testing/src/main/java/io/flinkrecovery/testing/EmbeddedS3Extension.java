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
 * test class, with the given buckets created, and clears its faults after each test. Register it on
 * a static field: {@code @RegisterExtension @Order(1) static final EmbeddedS3Extension S3 = new
 * EmbeddedS3Extension("test-bucket");}.
 */
public final class EmbeddedS3Extension
        implements BeforeAllCallback, AfterAllCallback, AfterEachCallback {

    private final List<String> buckets;

    private volatile EmbeddedS3Server server;
    private volatile Path baseDir;

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

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        if (server != null) {
            return;
        }
        baseDir = Files.createTempDirectory("flink-recovery-s3-");
        server = EmbeddedS3Server.start(baseDir);
        buckets.forEach(server::createBucket);
        ownerId = context.getUniqueId();
    }

    /**
     * Removes the test's faults and zeroes the counters, so each test starts from a clean slate.
     */
    @Override
    public void afterEach(ExtensionContext context) {
        EmbeddedS3Server current = server;
        if (current != null) {
            current.faults().reset();
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
            deleteRecursively(baseDir);
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
