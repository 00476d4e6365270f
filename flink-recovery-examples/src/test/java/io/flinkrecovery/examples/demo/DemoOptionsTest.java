package io.flinkrecovery.examples.demo;

import org.apache.flink.configuration.Configuration;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParameterException;

import java.nio.file.Paths;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DemoOptionsTest {

    @Test
    void defaultsToTheIncrementalHeapBackendAndTheDemoDataDir() {
        DemoOptions options = DemoOptions.parse(new String[0], new Properties());

        assertThat(options.stateBackend())
                .isEqualTo("io.flinkrecovery.backend.IncrementalHeapStateBackendFactory");
        assertThat(options.dataDir()).isEqualTo(Paths.get("demo-data", "s3"));
        assertThat(options.isDefaultDataDir()).isTrue();
    }

    @Test
    void argumentsOverrideSystemProperties() {
        Properties properties = new Properties();
        properties.setProperty(DemoOptions.STATE_BACKEND_PROPERTY, "rocksdb");
        properties.setProperty(DemoOptions.DATA_DIR_PROPERTY, "/tmp/a");

        DemoOptions fromProperties = DemoOptions.parse(new String[0], properties);
        DemoOptions fromArguments =
                DemoOptions.parse(
                        new String[] {"--state-backend=custom.Factory", "--data-dir=/tmp/b"},
                        properties);

        assertThat(fromProperties.stateBackend()).isEqualTo("rocksdb");
        assertThat(fromProperties.dataDir()).isEqualTo(Paths.get("/tmp/a"));
        assertThat(fromProperties.isDefaultDataDir()).isFalse();
        assertThat(fromArguments.stateBackend()).isEqualTo("custom.Factory");
        assertThat(fromArguments.dataDir()).isEqualTo(Paths.get("/tmp/b"));
    }

    @Test
    void acceptsTheValueAsTheNextArgumentToo() {
        DemoOptions options =
                DemoOptions.parse(
                        new String[] {"--state-backend", "hashmap", "--data-dir", "/tmp/c"},
                        new Properties());

        assertThat(options.stateBackend()).isEqualTo("hashmap");
        assertThat(options.dataDir()).isEqualTo(Paths.get("/tmp/c"));
    }

    @Test
    void rejectsUnknownAndEmptyArguments() {
        assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--fast"}, new Properties()))
                .isInstanceOf(ParameterException.class)
                .hasMessage("Unknown option: '--fast'");
        assertThatThrownBy(
                        () ->
                                DemoOptions.parse(
                                        new String[] {"--state-backend="}, new Properties()))
                .isInstanceOf(ParameterException.class)
                .hasMessage("Invalid --state-backend: empty (e.g. hashmap or rocksdb)");
        assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--data-dir"}, new Properties()))
                .isInstanceOf(ParameterException.class)
                .hasMessageStartingWith("Missing required parameter for option '--data-dir'");
    }

    @Test
    void helpDescribesEveryOption() {
        String help = DemoOptions.commandLine().getUsageMessage();

        assertThat(help)
                .startsWith("Usage: bin/demo")
                .contains("--state-backend=<type>", "--data-dir=<dir>", "--help");
    }

    @Test
    void configuresTheS3StorageRetentionRestartsAndBackend() {
        Map<String, String> s3 = Map.of("s3.endpoint", "http://127.0.0.1:9000");

        Configuration config = DemoOptions.parse(new String[0], new Properties()).flinkConfig(s3);

        assertThat(config.toMap())
                .containsEntry("s3.endpoint", "http://127.0.0.1:9000")
                .containsEntry(
                        "execution.checkpointing.storage",
                        "io.flinkrecovery.storage.S3CheckpointStorageFactory")
                .containsEntry("execution.checkpointing.dir", "s3://demo/checkpoints")
                .containsEntry("execution.checkpointing.savepoint-dir", "s3://demo/savepoints")
                .containsEntry(
                        "execution.checkpointing.externalized-checkpoint-retention",
                        "RETAIN_ON_CANCELLATION")
                .containsEntry("restart-strategy.type", "fixed-delay")
                .containsEntry("recovery.storage.inline-threshold", "1kb")
                .containsEntry(
                        "state.backend.type",
                        "io.flinkrecovery.backend.IncrementalHeapStateBackendFactory");
    }
}
