package io.flinkrecovery.examples.compat;

import org.apache.flink.api.java.utils.ParameterTool;

/**
 * A job's {@code --key value} arguments through Flink's {@code ParameterTool}, which Flink 1.20
 * keeps in {@code org.apache.flink.api.java.utils}.
 */
public final class JobParameters {

    private final ParameterTool params;

    private JobParameters(ParameterTool params) {
        this.params = params;
    }

    public static JobParameters fromArgs(String[] args) {
        return new JobParameters(ParameterTool.fromArgs(args));
    }

    public String getRequired(String key) {
        return params.getRequired(key);
    }

    /** The value of {@code key}, or null if it was not given. */
    public String get(String key) {
        return params.get(key);
    }

    public String get(String key, String defaultValue) {
        return params.get(key, defaultValue);
    }

    public int getInt(String key) {
        return params.getInt(key);
    }

    public int getInt(String key, int defaultValue) {
        return params.getInt(key, defaultValue);
    }

    public long getLong(String key) {
        return params.getLong(key);
    }

    public long getLong(String key, long defaultValue) {
        return params.getLong(key, defaultValue);
    }
}
