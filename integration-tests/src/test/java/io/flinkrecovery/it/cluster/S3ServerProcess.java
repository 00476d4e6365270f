package io.flinkrecovery.it.cluster;

import io.flinkrecovery.testing.EmbeddedS3Server;
import io.flinkrecovery.testing.S3ServerMain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.awaitility.Awaitility.await;

/**
 * The embedded S3 server in a process of its own ({@link S3ServerMain}), on 127.0.0.1 with its
 * objects on local disk under the run directory. The cluster talks to it over HTTP only.
 */
final class S3ServerProcess {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final ManagedProcess process;
    private final String endpoint;

    private S3ServerProcess(ManagedProcess process, String endpoint) {
        this.process = process;
        this.endpoint = endpoint;
    }

    /** Starts a server on a free port with {@code bucket} created; returns once it serves. */
    static S3ServerProcess start(Processes processes, Path dir, Path lib, String bucket)
            throws IOException {
        Files.createDirectories(dir);
        Resources.copy("s3-server-log4j2.properties", dir.resolve("log4j2.properties"));
        ManagedProcess process =
                processes.start(
                        "s3-server",
                        JavaCommand.of(
                                List.of(
                                        "-Xmx512m",
                                        "-Dlog4j2.configurationFile=log4j2.properties",
                                        "-Dlog.file=s3-server.log"),
                                lib.toAbsolutePath() + "/*",
                                S3ServerMain.class.getName(),
                                List.of(
                                        "--data-dir",
                                        dir.resolve("data").toAbsolutePath().toString(),
                                        "--bucket",
                                        bucket)),
                        dir,
                        dir.resolve("s3-server.out"));
        String endpoint =
                await().alias("S3 server ready, see " + process.output())
                        .atMost(START_TIMEOUT)
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> readyEndpoint(process), Optional::isPresent)
                        .orElseThrow();
        return new S3ServerProcess(process, endpoint);
    }

    private static Optional<String> readyEndpoint(ManagedProcess process) {
        String output = process.outputText();
        int ready = output.indexOf(S3ServerMain.READY);
        if (ready < 0 || output.indexOf('\n', ready) < 0) {
            if (!process.isAlive()) {
                throw new IllegalStateException("S3 server exited: " + output);
            }
            return Optional.empty();
        }
        int start = ready + S3ServerMain.READY.length();
        return Optional.of(output.substring(start, output.indexOf('\n', start)).trim());
    }

    /** Such as {@code http://127.0.0.1:41463}. */
    String endpoint() {
        return endpoint;
    }

    /** {@code s3.endpoint}, {@code s3.access-key} and the other keys of a client of this server. */
    Map<String, String> flinkConfig() {
        return EmbeddedS3Server.flinkConfig(endpoint);
    }

    ManagedProcess process() {
        return process;
    }
}
