package io.flinkrecovery.testing;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Runs an {@link EmbeddedS3Server} as a process of its own, for the tests that start a real
 * cluster: {@code java -cp 's3-server/lib/*' io.flinkrecovery.testing.S3ServerMain --data-dir DIR
 * [--port PORT] [--control-port PORT] [--bucket NAME]...}.
 *
 * <p>Clients reach the server through a {@link FaultProxy} on {@code --port}, whose faults a test
 * sets at runtime through the {@link FaultControlServer} on {@code --control-port} ({@link
 * FaultControl} is its client). Once it serves requests it prints {@value #DIRECT} and the server's
 * own endpoint (no faults, for a test's own checks), {@value #CONTROL} and the control's URL, and
 * last {@value #READY} and the endpoint of the proxy, each on a line of its own on standard output;
 * it runs until its process is killed.
 */
public final class S3ServerMain {

    /** The start of the line printed once the server accepts requests; the endpoint follows. */
    public static final String READY = "S3 server ready at ";

    /** The start of the line that names the server's own endpoint, behind the fault proxy. */
    public static final String DIRECT = "S3 server without faults at ";

    /** The start of the line that names the URL of the fault control. */
    public static final String CONTROL = "S3 fault control at ";

    static final String USAGE =
            "Usage: S3ServerMain --data-dir DIR [--port PORT] [--control-port PORT]"
                    + " [--bucket NAME]...";

    private S3ServerMain() {}

    public static void main(String[] args) throws InterruptedException {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        EmbeddedS3Server server = EmbeddedS3Server.start(options.dataDir(), 0);
        options.buckets().forEach(server::createBucket);
        FaultProxy proxy =
                FaultProxy.start(options.port(), URI.create(server.endpoint()).getPort());
        FaultControlServer control = FaultControlServer.start(options.controlPort(), proxy);
        System.out.println(DIRECT + server.endpoint());
        System.out.println(CONTROL + control.url());
        System.out.println(READY + proxy.endpoint());
        System.out.flush();
        // S3Proxy serves from its own non-daemon threads; this one only keeps main alive.
        Thread.currentThread().join();
    }

    /** The parsed command line. */
    record Options(Path dataDir, int port, int controlPort, List<String> buckets) {

        static Options parse(String... args) {
            Path dataDir = null;
            int port = 0;
            int controlPort = 0;
            List<String> buckets = new ArrayList<>();
            for (int i = 0; i < args.length; i += 2) {
                String name = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("Missing value of " + name);
                }
                String value = args[i + 1];
                switch (name) {
                    case "--data-dir":
                        dataDir = Path.of(value);
                        break;
                    case "--port":
                        port = parsePort(name, value);
                        break;
                    case "--control-port":
                        controlPort = parsePort(name, value);
                        break;
                    case "--bucket":
                        EmbeddedS3Server.checkBucketName(value);
                        buckets.add(value);
                        break;
                    default:
                        throw new IllegalArgumentException("Unknown argument: " + name);
                }
            }
            if (dataDir == null) {
                throw new IllegalArgumentException("Missing --data-dir");
            }
            return new Options(dataDir, port, controlPort, List.copyOf(buckets));
        }

        private static int parsePort(String name, String value) {
            Objects.requireNonNull(value, "value");
            try {
                int port = Integer.parseInt(value);
                if (port >= 0 && port <= 65535) {
                    return port;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(
                    "Invalid " + name + ": " + value + " (must be 0 to 65535; 0 picks a free one)");
        }
    }
}
