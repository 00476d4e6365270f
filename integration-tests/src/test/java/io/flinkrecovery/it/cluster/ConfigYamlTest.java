package io.flinkrecovery.it.cluster;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigYamlTest {

    @Test
    void flinkReadsBackEveryValue(@TempDir Path conf) throws Exception {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("s3.endpoint", "http://127.0.0.1:41463");
        config.put("env.java.opts.all", "--add-opens=java.base/java.util=ALL-UNNAMED -Da=b");
        config.put("heartbeat.interval", "1 s");
        config.put("taskmanager.numberOfTaskSlots", "2");
        config.put("high-availability.cluster-id", "/cluster-it");
        config.put("quoted", "it's # not a comment: really");

        Files.writeString(conf.resolve("config.yaml"), ConfigYaml.render(config));
        Configuration loaded = GlobalConfiguration.loadConfiguration(conf.toString());

        assertThat(loaded.toMap()).containsAllEntriesOf(config);
    }
}
