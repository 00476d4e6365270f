package io.flinkrecovery.inspect.cli;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;

import io.flinkrecovery.config.S3ConnectionOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

/**
 * The S3 connection of the CLI, from (later wins) a Flink configuration ({@code --conf}), the
 * {@code AWS_*} environment, and options.
 */
final class ConnectionConfig {

    private ConnectionConfig() {}

    static Configuration build(InspectCommand options, Map<String, String> env) {
        Configuration config = new Configuration();
        String conf = options.conf;
        if (conf != null) {
            Path path = Paths.get(conf);
            if (!Files.exists(path)) {
                throw new UsageException("--conf " + conf + ": no such file or directory");
            }
            Path dir = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
            config.addAll(GlobalConfiguration.loadConfiguration(dir.toString()));
        }
        copy(env, "AWS_ENDPOINT_URL", config, S3ConnectionOptions.ENDPOINT.key());
        copy(env, "AWS_REGION", config, S3ConnectionOptions.REGION.key());
        copy(env, "AWS_ACCESS_KEY_ID", config, S3ConnectionOptions.ACCESS_KEY.key());
        copy(env, "AWS_SECRET_ACCESS_KEY", config, S3ConnectionOptions.SECRET_KEY.key());
        set(options.endpoint, config, S3ConnectionOptions.ENDPOINT.key());
        set(options.region, config, S3ConnectionOptions.REGION.key());
        set(options.accessKey, config, S3ConnectionOptions.ACCESS_KEY.key());
        set(options.secretKey, config, S3ConnectionOptions.SECRET_KEY.key());
        if (options.pathStyle) {
            config.set(S3ConnectionOptions.PATH_STYLE_ACCESS, true);
        }
        return config;
    }

    private static void copy(Map<String, String> from, String name, Configuration to, String key) {
        set(from.get(name), to, key);
    }

    private static void set(String value, Configuration to, String key) {
        if (value != null && !value.isEmpty()) {
            to.setString(key, value);
        }
    }
}
