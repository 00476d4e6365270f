package io.flinkrecovery.benchmarks;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The command line of {@link BackendComparison}, {@link InspectorBenchmark} and {@link
 * StateAccessBenchmark}, parsed by picocli as the inspector's and the demo's are.
 */
@Command(
        name = "bin/benchmark",
        sortOptions = false,
        description =
                "Compares the incremental heap backend, HashMapStateBackend, RocksDB"
                        + " incremental and ForSt side by side, on our S3 storage on the embedded"
                        + " S3 server, and writes <date>[-name].txt, .json and .svg into the"
                        + " results directory.")
final class BenchmarkOptions {
    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--keys", paramLabel = "N", description = "Keys in state (default 1000000).")
    long keys = 1_000_000;

    @Option(
            names = "--map-entries",
            paramLabel = "N",
            description =
                    "W2: each key holds a MapState of N user entries of --value-size bytes, and"
                            + " --update-fraction is of the user entries (default 0: W1, a"
                            + " ValueState per key).")
    int mapEntries;

    @Option(
            names = "--value-size",
            paramLabel = "B",
            description = "Bytes per value (default 100).")
    int valueSize = 100;

    @Option(
            names = "--values",
            paramLabel = "KIND",
            description =
                    "Values written: random (bytes no codec can shrink) or text (random words"
                            + " of a small vocabulary, about as compressible as records of"
                            + " text) (default random).")
    ValueKind values = ValueKind.RANDOM;

    @Option(
            names = "--compression",
            description =
                    "Also measure our backend with execution.checkpointing.snapshot-compression"
                            + " on (checkpoints and restores, not throughput), and print the"
                            + " bytes with and without compression.")
    boolean compression;

    @Option(
            names = "--without-forst",
            description =
                    "Leave out the two ForSt columns: for large --keys, where they double the run's"
                            + " time and memory.")
    boolean withoutForst;

    @Option(
            names = "--checkpoints",
            paramLabel = "N",
            description = "Measured checkpoints after the initial one (default 20).")
    int checkpoints = 20;

    @Option(
            names = "--update-fraction",
            paramLabel = "F",
            description = "Fraction of the keys updated per checkpoint (default 0.01).")
    double updateFraction = 0.01;

    @Option(
            names = "--parallelism",
            paramLabel = "P",
            description = "Parallelism of each job (default 2).")
    int parallelism = 2;

    @Option(
            names = "--throughput-updates",
            paramLabel = "N",
            description = "Updates per throughput round (default max(5 x keys, 500000)).")
    long throughputUpdates = -1;

    @Option(
            names = "--throughput-rounds",
            paramLabel = "N",
            description =
                    "Measured throughput rounds per backend, interleaved, after one warm-up"
                            + " round (default 5).")
    int throughputRounds = 5;

    @Option(
            names = "--restores",
            paramLabel = "N",
            description = "Restores per backend (default 3).")
    int restores = 3;

    @Option(
            names = "--restore-records",
            paramLabel = "N",
            description =
                    "Records each restored job processes before its restore counts as done, for"
                            + " restore (b) (default min(keys, 1000000)).")
    long restoreRecords = -1;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description =
                    "A Flink or recovery.* option for every job, such as --set"
                            + " recovery.backend.compaction.max-deltas=64 (repeatable).")
    Map<String, String> jobSettings = new LinkedHashMap<>();

    @Option(
            names = "--data-dir",
            paramLabel = "DIR",
            description =
                    "Where the S3 server keeps objects (default: a temporary directory, deleted"
                            + " at the end).")
    Path dataDir;

    @Option(
            names = "--s3-latency",
            paramLabel = "MS",
            description =
                    "Added to every S3 request by the server, as a remote store's round trip"
                            + " (default 0: loopback).")
    long s3LatencyMillis;

    @Option(
            names = "--results-dir",
            paramLabel = "DIR",
            description =
                    "Where BackendComparison writes <date>[-name].txt, .json and .svg (default:"
                            + " flink-recovery-benchmarks/results).")
    Path resultsDir = defaultResultsDir();

    @Option(
            names = "--results-name",
            paramLabel = "NAME",
            description =
                    "Appended to the date in the result files' names, such as 'short' for a"
                            + " smoke run (letters, digits, '.', '_' and '-').")
    String resultsName;

    /**
     * The options in {@code args}; prints the usage of {@code command} and exits, with 0 for {@code
     * --help} and with 2 after the message of a usage error.
     */
    Workload workload() {
        return new Workload(keys, mapEntries, valueSize, values, parallelism);
    }

    static BenchmarkOptions parseOrExit(String[] args, String command) {
        return CommandLines.parseOrExit(
                new BenchmarkOptions(), command, args, BenchmarkOptions::validated);
    }

    /** The options in {@code args}, or a {@link ParameterException} that says what is wrong. */
    static BenchmarkOptions parse(String[] args) {
        return CommandLines.parse(new BenchmarkOptions(), args, BenchmarkOptions::validated);
    }

    private static BenchmarkOptions validated(CommandLine cli) {
        BenchmarkOptions options = cli.getCommand();
        CommandLines.positive(cli, "--keys", options.keys);
        if (options.mapEntries < 0) {
            throw new CommandLine.ParameterException(
                    cli, "--map-entries must be 0 (W1) or positive, not " + options.mapEntries);
        }
        CommandLines.positive(cli, "--value-size", options.valueSize);
        CommandLines.positive(cli, "--checkpoints", options.checkpoints);
        CommandLines.positive(cli, "--parallelism", options.parallelism);
        CommandLines.positive(cli, "--throughput-rounds", options.throughputRounds);
        CommandLines.positive(cli, "--restores", options.restores);
        if (!(options.updateFraction > 0 && options.updateFraction <= 1)) {
            throw new ParameterException(
                    cli,
                    "Invalid --update-fraction: "
                            + options.updateFraction
                            + " (must be in (0, 1])");
        }
        if (options.resultsName != null && !options.resultsName.matches("[A-Za-z0-9._-]+")) {
            throw new ParameterException(
                    cli,
                    "Invalid --results-name: "
                            + options.resultsName
                            + " (use letters, digits, '.', '_' and '-')");
        }
        if (options.s3LatencyMillis < 0) {
            throw new ParameterException(
                    cli, "Invalid --s3-latency: " + options.s3LatencyMillis + " (must be >= 0)");
        }
        if (cli.getParseResult().hasMatchedOption("--throughput-updates")) {
            CommandLines.positive(cli, "--throughput-updates", options.throughputUpdates);
        } else {
            options.throughputUpdates = Math.max(5 * options.keys, 500_000);
        }
        if (cli.getParseResult().hasMatchedOption("--restore-records")) {
            CommandLines.positive(cli, "--restore-records", options.restoreRecords);
        } else {
            options.restoreRecords = Math.min(options.keys, 1_000_000);
        }
        return options;
    }

    /** The module's results directory, which the build passes in; else relative to the checkout. */
    private static Path defaultResultsDir() {
        String dir = System.getProperty("flinkrecovery.results.dir");
        return Path.of(dir != null ? dir : "flink-recovery-benchmarks/results");
    }

    @Override
    public String toString() {
        return String.format(
                "%,d keys x %d B %s values, parallelism %d, %.2f%% of keys updated per checkpoint,"
                        + " %d measured checkpoints, %d x %,d updates per throughput round,"
                        + " %d restores (then %,d records each)%s%s%s%s",
                keys,
                valueSize,
                values.name().toLowerCase(java.util.Locale.ROOT),
                parallelism,
                updateFraction * 100,
                checkpoints,
                throughputRounds,
                throughputUpdates,
                restores,
                restoreRecords,
                compression ? ", ours also with snapshot compression" : "",
                withoutForst ? ", without ForSt" : "",
                jobSettings.isEmpty() ? "" : ", job settings " + jobSettings,
                s3LatencyMillis == 0
                        ? ""
                        : ", " + s3LatencyMillis + " ms added to every S3 request");
    }
}
