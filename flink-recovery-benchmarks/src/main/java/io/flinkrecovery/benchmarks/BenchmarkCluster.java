package io.flinkrecovery.benchmarks;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;

import io.flinkrecovery.examples.S3StorageConfig;
import io.flinkrecovery.testing.EmbeddedS3Server;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** What every benchmark program sets up the same way: the cluster, job settings, clean-up. */
final class BenchmarkCluster {

    static final String BUCKET = "benchmarks";

    private static final Pattern CHECKPOINT_ID = Pattern.compile("chk-(\\d+)/?$");

    private BenchmarkCluster() {}

    /**
     * Our S3 storage under a directory per backend, checkpoints retained on cancellation, and no
     * periodic checkpoints: the benchmark triggers each one itself.
     */
    static Configuration jobConfig(
            EmbeddedS3Server s3, Backend backend, Map<String, String> jobSettings) {
        String root = "s3://" + BUCKET + "/" + backend.id();
        Configuration config =
                S3StorageConfig.of(
                        s3.flinkConfig(),
                        root + "/checkpoints",
                        root + "/savepoints",
                        Duration.ofDays(1));
        config.removeKey("execution.checkpointing.interval");
        useOwnClassLoader(config);
        backend.configure(config);
        jobSettings.forEach(config::setString);
        return config;
    }

    /** One TaskManager with {@code slots} slots, RocksDB's memory as a 2-core machine gives it. */
    static MiniCluster start(Configuration base, int slots, int checkpointHistory)
            throws Exception {
        Configuration config = new Configuration(base);
        config.setString("web.checkpoints.history", String.valueOf(checkpointHistory));
        config.setString("taskmanager.memory.managed.size", (128 * slots) + "m");
        MiniCluster cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(config)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(slots)
                                .withRandomPorts()
                                .build());
        cluster.start();
        return cluster;
    }

    /**
     * Makes Flink load the job's classes with this program's class loader, as the demo does: under
     * {@code mvn exec:java} this program and Flink live in a child of the system class loader, and
     * the sources must see the same {@link JobControl} registry as the driver.
     */
    static void useOwnClassLoader(Configuration config) {
        ClassLoader loader = BenchmarkCluster.class.getClassLoader();
        if (loader == ClassLoader.getSystemClassLoader()) {
            return;
        }
        URL classes = BenchmarkCluster.class.getProtectionDomain().getCodeSource().getLocation();
        config.set(PipelineOptions.CLASSPATHS, List.of(classes.toString()));
        config.set(CoreOptions.CLASSLOADER_RESOLVE_ORDER, "parent-first");
    }

    static long checkpointId(String pointer) {
        Matcher matcher = CHECKPOINT_ID.matcher(pointer);
        if (!matcher.find()) {
            throw new IllegalStateException("Not a checkpoint pointer: " + pointer);
        }
        return Long.parseLong(matcher.group(1));
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
