package io.flinkrecovery.it.cluster;

import io.flinkrecovery.testing.EmbeddedS3Server;
import io.flinkrecovery.testing.FaultControl;
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
 * objects on local disk under the run directory. The cluster talks to it over HTTP only, through
 * the server's fault proxy, whose faults {@link #faults()} sets; a test's own checks use {@link
 * #directEndpoint()}, which no fault reaches.
 */
final class S3ServerProcess {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final ManagedProcess process;
    private final String endpoint;
    private final String directEndpoint;
    private final FaultControl faults;

    private S3ServerProcess(
            ManagedProcess process, String endpoint, String directEndpoint, String controlUrl) {
        this.process = process;
        this.endpoint = endpoint;
        this.directEndpoint = directEndpoint;
        this.faults = FaultControl.at(controlUrl);
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
        // The server prints both before its ready line.
        String output = process.outputText();
        return new S3ServerProcess(
                process,
                endpoint,
                lineValue(output, S3ServerMain.DIRECT).orElseThrow(),
                lineValue(output, S3ServerMain.CONTROL).orElseThrow());
    }

    private static Optional<String> readyEndpoint(ManagedProcess process) {
        Optional<String> endpoint = lineValue(process.outputText(), S3ServerMain.READY);
        if (endpoint.isEmpty() && !process.isAlive()) {
            throw new IllegalStateException("S3 server exited: " + process.outputText());
        }
        return endpoint;
    }

    /** The rest of the complete line of {@code output} that starts with {@code prefix}. */
    private static Optional<String> lineValue(String output, String prefix) {
        int line = output.indexOf(prefix);
        if (line < 0 || output.indexOf('\n', line) < 0) {
            return Optional.empty();
        }
        int start = line + prefix.length();
        return Optional.of(output.substring(start, output.indexOf('\n', start)).trim());
    }

    /** Such as {@code http://127.0.0.1:41463}. */
    String endpoint() {
        return endpoint;
    }

    /** The server's own endpoint, behind the fault proxy: for a test's checks, never faulty. */
    String directEndpoint() {
        return directEndpoint;
    }

    /** Sets the faults of the requests that reach {@link #endpoint()}. */
    FaultControl faults() {
        return faults;
    }

    /** {@code s3.endpoint}, {@code s3.access-key} and the other keys of a client of this server. */
    Map<String, String> flinkConfig() {
        return EmbeddedS3Server.flinkConfig(endpoint);
    }

    ManagedProcess process() {
        return process;
    }
}
