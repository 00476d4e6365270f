package io.flinkrecovery.examples.demo;

import org.apache.flink.configuration.Configuration;

import io.flinkrecovery.examples.S3StorageConfig;

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

    static final String USAGE =
            String.join(
                    System.lineSeparator(),
                    "Usage: RecoveryDemo [--state-backend=<type>] [--data-dir=<dir>]",
                    "  --state-backend  state.backend.type of both runs (default "
                            + DEFAULT_STATE_BACKEND
                            + "; or -D"
                            + STATE_BACKEND_PROPERTY
                            + "=<type>)",
                    "  --data-dir       where the embedded S3 server keeps its objects (default ./"
                            + DEFAULT_DATA_DIR
                            + ", emptied first; or -D"
                            + DATA_DIR_PROPERTY
                            + "=<dir>, kept)");

    private final String stateBackend;
    private final Path dataDir;
    private final boolean defaultDataDir;

    private DemoOptions(String stateBackend, Path dataDir, boolean defaultDataDir) {
        this.stateBackend = stateBackend;
        this.dataDir = dataDir;
        this.defaultDataDir = defaultDataDir;
    }

    /**
     * Reads {@code --name=value} arguments, falling back to {@code -Ddemo.*} system properties.
     *
     * @throws IllegalArgumentException naming the first unknown or empty argument
     */
    static DemoOptions parse(String[] args, Properties systemProperties) {
        String stateBackend =
                systemProperties.getProperty(STATE_BACKEND_PROPERTY, DEFAULT_STATE_BACKEND);
        String dataDir = systemProperties.getProperty(DATA_DIR_PROPERTY);
        for (String arg : args) {
            if (arg.startsWith("--state-backend=")) {
                stateBackend = value(arg);
            } else if (arg.startsWith("--data-dir=")) {
                dataDir = value(arg);
            } else {
                throw new IllegalArgumentException("Unknown argument: " + arg);
            }
        }
        if (stateBackend.isBlank()) {
            throw new IllegalArgumentException(
                    "Invalid " + STATE_BACKEND_PROPERTY + ": empty (e.g. hashmap)");
        }
        return dataDir == null
                ? new DemoOptions(stateBackend, DEFAULT_DATA_DIR, true)
                : new DemoOptions(stateBackend, Paths.get(dataDir), false);
    }

    private static String value(String arg) {
        String value = arg.substring(arg.indexOf('=') + 1);
        if (value.isBlank()) {
            throw new IllegalArgumentException("Invalid argument " + arg + " (value is empty)");
        }
        return value;
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
