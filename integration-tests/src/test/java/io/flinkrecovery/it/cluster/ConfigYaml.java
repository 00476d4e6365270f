package io.flinkrecovery.it.cluster;

import java.util.Map;

/** Writes Flink 2's {@code config.yaml}: one flattened key per line, each value quoted. */
final class ConfigYaml {

    private ConfigYaml() {}

    static String render(Map<String, String> config) {
        StringBuilder yaml = new StringBuilder();
        config.forEach(
                (key, value) ->
                        yaml.append(key)
                                .append(": '")
                                .append(value.replace("'", "''"))
                                .append("'\n"));
        return yaml.toString();
    }
}
