package io.flinkrecovery.compat;

import java.util.Map;

/** The configuration file of a Flink home: Flink 2.x reads {@code conf/config.yaml}. */
public final class FlinkConfFile {

    public static final String NAME = "config.yaml";

    private FlinkConfFile() {}

    /** Standard YAML, one flattened key per line, each value single-quoted. */
    public static String render(Map<String, String> config) {
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
