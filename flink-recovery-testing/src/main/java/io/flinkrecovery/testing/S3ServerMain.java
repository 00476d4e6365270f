package io.flinkrecovery.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Runs an {@link EmbeddedS3Server} as a process of its own, for the tests that start a real
 * cluster: {@code java -cp 's3-server/lib/*' io.flinkrecovery.testing.S3ServerMain --data-dir DIR
 * [--port PORT] [--bucket NAME]...}. Once it serves requests it prints {@value #READY} and its
 * endpoint on standard output; it runs until its process is killed.
 */
public final class S3ServerMain {

    /** The start of the line printed once the server accepts requests; the endpoint follows. */
    public static final String READY = "S3 server ready at ";

    static final String USAGE =
            "Usage: S3ServerMain --data-dir DIR [--port PORT] [--bucket NAME]...";

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
        EmbeddedS3Server server = EmbeddedS3Server.start(options.dataDir(), options.port());
        options.buckets().forEach(server::createBucket);
        System.out.println(READY + server.endpoint());
        System.out.flush();
        // S3Proxy serves from its own non-daemon threads; this one only keeps main alive.
        Thread.currentThread().join();
    }

    /** The parsed command line. */
    record Options(Path dataDir, int port, List<String> buckets) {

        static Options parse(String... args) {
            Path dataDir = null;
            int port = 0;
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
                        port = parsePort(value);
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
            return new Options(dataDir, port, List.copyOf(buckets));
        }

        private static int parsePort(String value) {
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
                    "Invalid --port: " + value + " (must be 0 to 65535; 0 picks a free one)");
        }
    }
}
