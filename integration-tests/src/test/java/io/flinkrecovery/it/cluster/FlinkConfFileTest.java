package io.flinkrecovery.it.cluster;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;

import io.flinkrecovery.compat.FlinkConfFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The Flink home's configuration file, read back by this Flink line's own loader. */
class FlinkConfFileTest {

    @Test
    void flinkReadsBackEveryValue(@TempDir Path conf) throws Exception {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("s3.endpoint", "http://127.0.0.1:41463");
        config.put("env.java.opts.all", "--add-opens=java.base/java.util=ALL-UNNAMED -Da=b");
        config.put("heartbeat.interval", "1 s");
        config.put("taskmanager.numberOfTaskSlots", "2");
        config.put("high-availability.cluster-id", "/cluster-it");
        config.put("s3.secret-key", "it's: a secret");

        assertThat(load(conf, config).toMap()).containsAllEntriesOf(config);
    }

    /** Flink 2's YAML quotes it; Flink 1.20's flat file cannot hold it and says which key. */
    @Test
    void aCommentSignIsKeptOrRefusedByName(@TempDir Path conf) throws Exception {
        Map<String, String> config = Map.of("quoted", "it's # not a comment");
        String rendered;
        try {
            rendered = FlinkConfFile.render(config);
        } catch (IllegalArgumentException refused) {
            assertThat(refused).hasMessageContaining("quoted").hasMessageContaining("'#'");
            return;
        }
        Files.writeString(conf.resolve(FlinkConfFile.NAME), rendered);
        assertThat(GlobalConfiguration.loadConfiguration(conf.toString()).toMap())
                .containsAllEntriesOf(config);
    }

    private static Configuration load(Path conf, Map<String, String> config) throws Exception {
        Files.writeString(conf.resolve(FlinkConfFile.NAME), FlinkConfFile.render(config));
        return GlobalConfiguration.loadConfiguration(conf.toString());
    }
}
