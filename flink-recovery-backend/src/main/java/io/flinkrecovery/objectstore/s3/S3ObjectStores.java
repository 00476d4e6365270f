package io.flinkrecovery.objectstore.s3;

import io.flinkrecovery.objectstore.ObjectStore;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link ObjectStore} per distinct {@link S3ClientSettings} in this process, shared by the
 * checkpoint storage, the state backend and the {@code s3} FileSystem, so that they share a
 * connection pool and one set of request counters. Stores live as long as the process.
 */
public final class S3ObjectStores {

    private static final Map<S3ClientSettings, S3ObjectStore> STORES = new ConcurrentHashMap<>();

    private S3ObjectStores() {}

    public static ObjectStore forSettings(S3ClientSettings settings) {
        return STORES.computeIfAbsent(settings, S3ObjectStore::new);
    }
}
