package io.flinkrecovery.benchmarks;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystem.WriteMode;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.plugin.DefaultPluginManager;
import org.apache.flink.core.plugin.DirectoryBasedPluginFinder;
import org.apache.flink.core.plugin.PluginDescriptor;
import org.apache.flink.core.plugin.PluginManager;
import org.apache.flink.util.WrappingProxy;
import org.apache.flink.util.WrappingProxyUtil;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Flink's S3 file systems as a Flink process loads them: each from its own directory below a
 * plugins root ({@code plugins/s3-fs-presto/…}), in a class loader of its own, next to ours on the
 * class path. {@link #use} hands {@code s3://} to one of them the way an operator does, with {@code
 * fs.s3.priority.<factory class>} ({@code FileSystem#initialize} keeps, per scheme, the factory of
 * the highest priority: ours declares 10, presto and hadoop 0, native -1).
 */
final class FileSystemPlugins {

    /** The system property that names the plugins root; the build sets it (fs-plugins). */
    static final String ROOT_PROPERTY = "flinkrecovery.fs.plugins";

    /** Above every factory's own priority. */
    private static final int CHOSEN_PRIORITY = 100;

    private final java.nio.file.Path root;
    private final PluginManager plugins;

    private FileSystemPlugins(java.nio.file.Path root, PluginManager plugins) {
        this.root = root;
        this.plugins = plugins;
    }

    /**
     * The plugins of {@code fileSystems} below the directory that {@link #ROOT_PROPERTY} names; the
     * others there are not loaded.
     */
    static FileSystemPlugins fromSystemProperty(Set<SinkFileSystem> fileSystems)
            throws IOException {
        String root = System.getProperty(ROOT_PROPERTY);
        if (root == null) {
            throw new IllegalStateException(
                    "Set -D"
                            + ROOT_PROPERTY
                            + " to the directory that holds s3-fs-presto/, s3-fs-hadoop/ and"
                            + " s3-fs-native/ (the build copies them to"
                            + " flink-recovery-benchmarks/target/fs-plugins)");
        }
        return fromDirectory(java.nio.file.Path.of(root), fileSystems);
    }

    static FileSystemPlugins fromDirectory(java.nio.file.Path root, Set<SinkFileSystem> fileSystems)
            throws IOException {
        Set<String> wanted =
                fileSystems.stream()
                        .map(SinkFileSystem::pluginDirectory)
                        .filter(Objects::nonNull)
                        .collect(Collectors.toSet());
        List<PluginDescriptor> descriptors =
                new DirectoryBasedPluginFinder(root)
                        .findPlugins().stream()
                                .filter(d -> wanted.contains(d.getPluginId()))
                                .collect(Collectors.toList());
        return new FileSystemPlugins(
                root,
                new DefaultPluginManager(
                        descriptors,
                        CoreOptions.getPluginParentFirstLoaderPatterns(new Configuration())));
    }

    /** Whether {@code fs} can be loaded: ours always, a plugin if its directory has its jar. */
    boolean has(SinkFileSystem fs) {
        return fs.pluginDirectory() == null
                || Files.isDirectory(root.resolve(fs.pluginDirectory()));
    }

    /**
     * Re-initializes Flink's file systems in this JVM with {@code config}, in which {@code fs}'s
     * factory has the highest priority for {@code s3}, and checks that it then serves {@code s3://}
     * and can write, read and delete the object {@code probe} with the {@code s3.*} keys of {@code
     * config}. Clears Flink's cache of file system instances, so a job started afterwards opens its
     * files through {@code fs}.
     *
     * @return the class of the file system that now serves {@code s3://}
     */
    String use(SinkFileSystem fs, Configuration config, URI probe) throws IOException {
        if (!has(fs)) {
            throw new IllegalStateException(
                    "No " + fs.label() + " plugin in " + root.resolve(fs.pluginDirectory()));
        }
        Configuration withPriority = new Configuration(config);
        withPriority.setString(fs.priorityKey(), String.valueOf(CHOSEN_PRIORITY));
        FileSystem.initialize(withPriority, plugins);
        List<String> factories =
                FileSystem.getRegisteredFileSystemFactories().stream()
                        .filter(f -> f.getScheme().equals("s3"))
                        .map(f -> unwrap(f).getClass().getName())
                        .collect(Collectors.toList());
        if (!factories.equals(List.of(fs.factoryClass()))) {
            throw new IllegalStateException(
                    "s3:// is served by " + factories + ", not by " + fs.factoryClass());
        }
        FileSystem fileSystem = FileSystem.get(probe);
        Path path = new Path(probe);
        byte[] written = ("probe of " + fs.label()).getBytes(StandardCharsets.UTF_8);
        try (FSDataOutputStream out = fileSystem.create(path, WriteMode.OVERWRITE)) {
            out.write(written);
        }
        try (FSDataInputStream in = fileSystem.open(path)) {
            if (!Arrays.equals(in.readAllBytes(), written)) {
                throw new IllegalStateException(fs.label() + " read back other bytes at " + probe);
            }
        }
        fileSystem.delete(path, false);
        return unwrap(fileSystem).getClass().getName();
    }

    @SuppressWarnings("unchecked")
    private static <T> T unwrap(T object) {
        return object instanceof WrappingProxy
                ? WrappingProxyUtil.stripProxy((WrappingProxy<T>) object)
                : object;
    }
}
