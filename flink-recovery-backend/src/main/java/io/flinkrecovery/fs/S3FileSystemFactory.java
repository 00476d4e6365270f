package io.flinkrecovery.fs;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystemFactory;

import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.s3.S3ClientSettings;
import io.flinkrecovery.objectstore.s3.S3ObjectStores;

import java.net.URI;

/**
 * Serves Flink's {@code s3://} paths from our object store, so that Flink's own restore, cleanup,
 * savepoint disposal and HA storage work on our checkpoints without Hadoop or Presto. Registered
 * through {@code META-INF/services}; it reads the same {@code s3.*} keys as Flink's S3 plugins.
 * When several factories serve {@code s3}, Flink picks by {@code
 * fs.s3.priority.io.flinkrecovery.fs.S3FileSystemFactory}.
 */
public final class S3FileSystemFactory implements FileSystemFactory {

    /** Above the default 0 of Flink's S3 plugins: having put this jar in lib/ is the opt-in. */
    static final int DEFAULT_PRIORITY = 10;

    private volatile Configuration config = new Configuration();

    @Override
    public String getScheme() {
        return ObjectLocation.SCHEME;
    }

    @Override
    public void configure(Configuration config) {
        this.config = config;
    }

    /** Flink 2.x picks among factories of one scheme by this; Flink 1.20 has no priority. */
    public int getPriority() {
        return DEFAULT_PRIORITY;
    }

    @Override
    public FileSystem create(URI fsUri) {
        S3ClientSettings settings = S3ClientSettings.fromConfig(config);
        return new S3FileSystem(fsUri, S3ObjectStores.forSettings(settings), settings.partSize());
    }
}
