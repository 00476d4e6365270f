package io.flinkrecovery.compat;

import java.util.Map;

/**
 * The configuration file of a Flink home: Flink 1.20 reads the classic {@code conf/flink-conf.yaml}
 * when there is no {@code config.yaml}.
 */
public final class FlinkConfFile {

    public static final String NAME = "flink-conf.yaml";

    private FlinkConfFile() {}

    /**
     * The classic flat form, {@code key: value} per line, unquoted. Its parser ends a line at the
     * first {@code #}, so such a value is refused rather than cut short.
     */
    public static String render(Map<String, String> config) {
        StringBuilder flat = new StringBuilder();
        config.forEach(
                (key, value) -> {
                    if (value.contains("#") || value.contains("\n")) {
                        throw new IllegalArgumentException(
                                "Cannot write "
                                        + key
                                        + " to flink-conf.yaml: its value holds '#' or a line"
                                        + " break, which the flat format cannot express");
                    }
                    flat.append(key).append(": ").append(value).append('\n');
                });
        return flat.toString();
    }
}
