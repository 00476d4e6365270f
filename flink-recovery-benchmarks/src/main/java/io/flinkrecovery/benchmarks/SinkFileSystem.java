package io.flinkrecovery.benchmarks;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A file system that can serve {@code s3://} to the {@code FileSink}: ours, on the class path as in
 * a Flink {@code lib/}, or one of Flink's S3 file systems, each loaded from its own directory under
 * {@code plugins/} as a Flink cluster loads it.
 */
enum SinkFileSystem {
    OURS("ours", null, "io.flinkrecovery.fs.S3FileSystemFactory"),
    HADOOP(
            "flink-s3-fs-hadoop",
            "s3-fs-hadoop",
            "org.apache.flink.fs.s3hadoop.S3FileSystemFactory"),
    NATIVE(
            "flink-s3-fs-native",
            "s3-fs-native",
            "org.apache.flink.fs.s3native.NativeS3FileSystemFactory"),
    PRESTO(
            "flink-s3-fs-presto",
            "s3-fs-presto",
            "org.apache.flink.fs.s3presto.S3FileSystemFactory");

    private final String label;
    private final String pluginDirectory;
    private final String factoryClass;

    SinkFileSystem(String label, String pluginDirectory, String factoryClass) {
        this.label = label;
        this.pluginDirectory = pluginDirectory;
        this.factoryClass = factoryClass;
    }

    /** How tables name it: "ours", or the Flink artifact. */
    String label() {
        return label;
    }

    /** Its directory under the plugins root; null for ours, which is on the class path. */
    String pluginDirectory() {
        return pluginDirectory;
    }

    /** The class of its {@code FileSystemFactory} for scheme {@code s3}. */
    String factoryClass() {
        return factoryClass;
    }

    /** The key that makes Flink choose this factory for {@code s3://} over the others. */
    String priorityKey() {
        return "fs.s3.priority." + factoryClass;
    }

    /**
     * Why this file system cannot write {@code workload} on the embedded S3 server, or null if it
     * can. flink-s3-fs-native keeps the bytes of a file persisted at a checkpoint below the file's
     * own key ({@code <file>/.incomplete/<uuid>/<uuid>}) until its upload completes; S3 holds an
     * object and keys below it side by side, but S3Proxy's stores keep objects as files and their
     * key prefixes as directories, so completing that upload fails there with a 500
     * (DirectoryNotEmptyException).
     */
    String cannotRunOnTheTestServer(SinkWorkload workload) {
        if (this == NATIVE && workload.checkpointsPerFile() > 1) {
            return "it keeps a persisted file's bytes below the file's own key"
                    + " (<file>/.incomplete/…), which S3Proxy cannot store beside the file";
        }
        return null;
    }

    /** Its name on the command line: ours, hadoop, native or presto. */
    String option() {
        return name().toLowerCase(Locale.ROOT);
    }

    static SinkFileSystem fromOption(String value) {
        for (SinkFileSystem fs : values()) {
            if (fs.option().equals(value.trim().toLowerCase(Locale.ROOT))) {
                return fs;
            }
        }
        throw new IllegalArgumentException(
                "Unknown file system: "
                        + value
                        + " (one of "
                        + Arrays.stream(values())
                                .map(SinkFileSystem::option)
                                .collect(Collectors.joining(", "))
                        + ")");
    }
}
