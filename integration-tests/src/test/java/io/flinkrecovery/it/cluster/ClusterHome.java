package io.flinkrecovery.it.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The class paths the module {@code cluster-home} assembled from Maven artifacts: Flink's {@code
 * lib/} with our shaded jar, a ZooKeeper server, and the S3 server. Located by the system property
 * {@value #PROPERTY}, which the build sets.
 */
final class ClusterHome {

    static final String PROPERTY = "flinkrecovery.cluster.home";

    private final Path root;

    private ClusterHome(Path root) {
        this.root = root;
    }

    /** The assembled home; fails naming the missing directory and how to build it. */
    static ClusterHome located() {
        String property = System.getProperty(PROPERTY);
        if (property == null) {
            throw new IllegalStateException(
                    "System property " + PROPERTY + " is not set; run the test through Maven");
        }
        ClusterHome home = new ClusterHome(Path.of(property).toAbsolutePath().normalize());
        for (Path lib : new Path[] {home.flinkLib(), home.zooKeeperLib(), home.s3ServerLib()}) {
            if (!Files.isDirectory(lib)) {
                throw new IllegalStateException(
                        "Missing "
                                + lib
                                + ": build it in the same run as the tests, with mvn package -pl"
                                + " integration-tests -am");
            }
        }
        home.checkShadedJarIsCurrent();
        return home;
    }

    /**
     * Fails unless {@code lib/} holds the shaded jar that {@code flink-recovery-backend} built
     * last: a build with {@code -pl} but without {@code -am} assembles {@code lib/} from {@code
     * ~/.m2}, which another checkout may have overwritten.
     */
    private void checkShadedJarIsCurrent() {
        String built = System.getProperty("flinkrecovery.shaded.jar");
        if (built == null) {
            return;
        }
        Path inLib = flinkLib().resolve(Path.of(built).getFileName());
        try {
            if (Files.mismatch(inLib, Path.of(built)) != -1) {
                throw new IllegalStateException(
                        inLib
                                + " differs from "
                                + built
                                + ": build it in the same run as the tests, with mvn package -pl"
                                + " integration-tests -am");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot compare " + inLib + " with " + built, e);
        }
    }

    /** What Flink 2.3.0's {@code lib/} ships, plus our shaded jar. */
    Path flinkLib() {
        return root.resolve("flink/lib");
    }

    Path zooKeeperLib() {
        return root.resolve("zookeeper/lib");
    }

    Path s3ServerLib() {
        return root.resolve("s3-server/lib");
    }
}
