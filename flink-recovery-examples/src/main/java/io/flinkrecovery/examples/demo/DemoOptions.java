package io.flinkrecovery.examples.demo;

import org.apache.flink.configuration.Configuration;

import io.flinkrecovery.examples.S3StorageConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/**
 * The demo's command-line options and the Flink configuration it runs with: the same keys an
 * installation puts into {@code config.yaml} (see {@code conf/config.yaml}).
 */
final class DemoOptions {

    static final String STATE_BACKEND_PROPERTY = "demo.state-backend";
    static final String DATA_DIR_PROPERTY = "demo.data-dir";
    static final String DEFAULT_STATE_BACKEND =
            "io.flinkrecovery.backend.IncrementalHeapStateBackendFactory";
    static final Path DEFAULT_DATA_DIR = Paths.get("demo-data", "s3");
    static final String BUCKET = "demo";
    static final int PARALLELISM = 2;

    /** The command line, parsed by picocli as the inspector's and the benchmarks' are. */
    @Command(
            name = "bin/demo",
            sortOptions = false,
            description =
                    "Runs a stateful job on a MiniCluster with an embedded S3 server, fails it,"
                            + " recovers it, restores a second run from the retained checkpoint"
                            + " and checks the results.")
    static final class Arguments {
        @Option(
                names = {"-h", "--help"},
                usageHelp = true,
                description = "Show this help message and exit.")
        boolean help;

        @Option(
                names = "--state-backend",
                paramLabel = "<type>",
                description =
                        "state.backend.type of both runs: hashmap, rocksdb or a factory class"
                                + " (default "
                                + DEFAULT_STATE_BACKEND
                                + "; or -D"
                                + STATE_BACKEND_PROPERTY
                                + "=<type>).")
        String stateBackend;

        @Option(
                names = "--data-dir",
                paramLabel = "<dir>",
                description =
                        "Where the embedded S3 server keeps its objects (default ./demo-data/s3,"
                                + " emptied first; or -D"
                                + DATA_DIR_PROPERTY
                                + "=<dir>, kept).")
        String dataDir;
    }

    private final String stateBackend;
    private final Path dataDir;
    private final boolean defaultDataDir;

    private DemoOptions(String stateBackend, Path dataDir, boolean defaultDataDir) {
        this.stateBackend = stateBackend;
        this.dataDir = dataDir;
        this.defaultDataDir = defaultDataDir;
    }

    /** The demo's command line; {@link #of} turns what it parsed into options. */
    static CommandLine commandLine() {
        return new CommandLine(new Arguments());
    }

    /**
     * Reads {@code --name=value} (or {@code --name value}) arguments, falling back to {@code
     * -Ddemo.*} system properties.
     *
     * @throws ParameterException naming the first unknown or empty argument
     */
    static DemoOptions parse(String[] args, Properties systemProperties) {
        CommandLine cli = commandLine();
        cli.parseArgs(args);
        return of(cli, systemProperties);
    }

    /** The options {@code cli} parsed, with {@code -Ddemo.*} system properties as defaults. */
    static DemoOptions of(CommandLine cli, Properties systemProperties) {
        Arguments arguments = cli.getCommand();
        String stateBackend =
                arguments.stateBackend != null
                        ? arguments.stateBackend
                        : systemProperties.getProperty(
                                STATE_BACKEND_PROPERTY, DEFAULT_STATE_BACKEND);
        String dataDir =
                arguments.dataDir != null
                        ? arguments.dataDir
                        : systemProperties.getProperty(DATA_DIR_PROPERTY);
        if (stateBackend.isBlank()) {
            throw new ParameterException(
                    cli, "Invalid --state-backend: empty (e.g. hashmap or rocksdb)");
        }
        if (dataDir != null && dataDir.isBlank()) {
            throw new ParameterException(cli, "Invalid --data-dir: empty");
        }
        return dataDir == null
                ? new DemoOptions(stateBackend, DEFAULT_DATA_DIR, true)
                : new DemoOptions(stateBackend, Paths.get(dataDir), false);
    }

    String stateBackend() {
        return stateBackend;
    }

    Path dataDir() {
        return dataDir;
    }

    /** Whether the data directory is the demo's own default, which it may empty first. */
    boolean isDefaultDataDir() {
        return defaultDataDir;
    }

    static String checkpointDir() {
        return "s3://" + BUCKET + "/checkpoints";
    }

    /**
     * The configuration of the cluster and of both runs: the S3 connection ({@code s3Keys}), the
     * checkpoint storage, retained checkpoints, the restart strategy and the state backend.
     */
    Configuration flinkConfig(Map<String, String> s3Keys) {
        Configuration config =
                S3StorageConfig.of(
                        s3Keys,
                        checkpointDir(),
                        "s3://" + BUCKET + "/savepoints",
                        Duration.ofSeconds(2));
        config.setString("restart-strategy.type", "fixed-delay");
        config.setString("restart-strategy.fixed-delay.attempts", "3");
        config.setString("restart-strategy.fixed-delay.delay", "1s");
        // The demo's state is a few kb per subtask; below the default 20 kb it would all be
        // inlined into _metadata. Make it objects, so that restores read them back from S3.
        config.setString("recovery.storage.inline-threshold", "1kb");
        config.setString("state.backend.type", stateBackend);
        config.setString("parallelism.default", String.valueOf(PARALLELISM));
        return config;
    }
}
