package io.flinkrecovery.benchmarks;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The command line of {@link BackendComparison}. */
final class BenchmarkOptions {

    static final String USAGE =
            String.join(
                    "\n",
                    "Usage: bin/benchmark [options]",
                    "  --keys N                keys in state (default 1000000)",
                    "  --value-size B          bytes per value (default 100)",
                    "  --checkpoints N         measured checkpoints after the initial one (default 20)",
                    "  --update-fraction F     fraction of the keys updated per checkpoint (default 0.01)",
                    "  --parallelism P         parallelism of each job (default 2)",
                    "  --throughput-updates N  updates per throughput round (default max(5 x keys, 500000))",
                    "  --throughput-rounds N   measured throughput rounds per backend, interleaved,"
                            + " after one warm-up round (default 5)",
                    "  --restores N            restores per backend (default 3)",
                    "  --restore-records N     records each restored job processes before its restore"
                            + " counts as done, for restore (b) (default min(keys, 1000000))",
                    "  --set KEY=VALUE         a Flink or recovery.* option for every job, such as"
                            + " --set recovery.backend.compaction.max-deltas=64 (repeatable)",
                    "  --data-dir DIR          where the S3 server keeps objects (default: a temporary"
                            + " directory, deleted at the end)",
                    "  --s3-latency MS         added to every S3 request by the server, as a remote"
                            + " store's round trip (default 0: loopback)");

    long keys = 1_000_000;
    int valueSize = 100;
    int checkpoints = 20;
    double updateFraction = 0.01;
    int parallelism = 2;
    long throughputUpdates = -1;
    int throughputRounds = 5;
    int restores = 3;
    long restoreRecords = -1;
    Path dataDir;
    long s3LatencyMillis;
    final Map<String, String> jobSettings = new LinkedHashMap<>();

    /**
     * The options in {@code args}; on a usage error (or {@code --help}) prints the message and the
     * usage of {@code command} and exits with 2.
     */
    static BenchmarkOptions parseOrExit(String[] args, String command) {
        try {
            return parse(args);
        } catch (IllegalArgumentException e) {
            if (!e.getMessage().isEmpty()) {
                System.err.println(e.getMessage());
            }
            System.err.println(USAGE.replace("bin/benchmark", command));
            System.exit(2);
            throw e;
        }
    }

    static BenchmarkOptions parse(String[] args) {
        BenchmarkOptions options = new BenchmarkOptions();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                throw new IllegalArgumentException("");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("Missing value for " + arg);
            }
            String value = args[++i];
            try {
                switch (arg) {
                    case "--keys":
                        options.keys = positive(arg, Long.parseLong(value));
                        break;
                    case "--value-size":
                        options.valueSize = (int) positive(arg, Integer.parseInt(value));
                        break;
                    case "--checkpoints":
                        options.checkpoints = (int) positive(arg, Integer.parseInt(value));
                        break;
                    case "--update-fraction":
                        options.updateFraction = Double.parseDouble(value);
                        if (!(options.updateFraction > 0 && options.updateFraction <= 1)) {
                            throw new IllegalArgumentException(
                                    "Invalid " + arg + ": " + value + " (must be in (0, 1])");
                        }
                        break;
                    case "--parallelism":
                        options.parallelism = (int) positive(arg, Integer.parseInt(value));
                        break;
                    case "--throughput-updates":
                        options.throughputUpdates = positive(arg, Long.parseLong(value));
                        break;
                    case "--throughput-rounds":
                        options.throughputRounds = (int) positive(arg, Integer.parseInt(value));
                        break;
                    case "--restores":
                        options.restores = (int) positive(arg, Integer.parseInt(value));
                        break;
                    case "--restore-records":
                        options.restoreRecords = positive(arg, Long.parseLong(value));
                        break;
                    case "--set":
                        int eq = value.indexOf('=');
                        if (eq <= 0) {
                            throw new IllegalArgumentException(
                                    "Invalid --set: " + value + " (expected KEY=VALUE)");
                        }
                        options.jobSettings.put(value.substring(0, eq), value.substring(eq + 1));
                        break;
                    case "--data-dir":
                        options.dataDir = Path.of(value);
                        break;
                    case "--s3-latency":
                        options.s3LatencyMillis = Long.parseLong(value);
                        if (options.s3LatencyMillis < 0) {
                            throw new IllegalArgumentException(
                                    "Invalid " + arg + ": " + value + " (must be >= 0)");
                        }
                        break;
                    default:
                        throw new IllegalArgumentException("Unknown option " + arg);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Invalid " + arg + ": " + value);
            }
        }
        if (options.throughputUpdates < 0) {
            options.throughputUpdates = Math.max(5 * options.keys, 500_000);
        }
        if (options.restoreRecords < 0) {
            options.restoreRecords = Math.min(options.keys, 1_000_000);
        }
        return options;
    }

    private static long positive(String key, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException("Invalid " + key + ": " + value + " (must be > 0)");
        }
        return value;
    }

    @Override
    public String toString() {
        return String.format(
                "%,d keys x %d B values, parallelism %d, %.2f%% of keys updated per checkpoint,"
                        + " %d measured checkpoints, %d x %,d updates per throughput round,"
                        + " %d restores (then %,d records each)%s%s",
                keys,
                valueSize,
                parallelism,
                updateFraction * 100,
                checkpoints,
                throughputRounds,
                throughputUpdates,
                restores,
                restoreRecords,
                jobSettings.isEmpty() ? "" : ", job settings " + jobSettings,
                s3LatencyMillis == 0
                        ? ""
                        : ", " + s3LatencyMillis + " ms added to every S3 request");
    }
}
