package io.flinkrecovery.inspect;

import io.flinkrecovery.objectstore.ObjectInfo;
import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectStore;
import io.flinkrecovery.objectstore.SeekableInputStream;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Checks referenced objects in parallel: a HEAD for existence and size, and in deep mode a full
 * read that must deliver exactly the expected bytes. Each object is checked once, however many
 * handles name it.
 */
final class ObjectChecker {

    private final ObjectStore store;
    private final int threads;
    private final Progress progress;

    ObjectChecker(ObjectStore store, int threads, Progress progress) {
        this.store = store;
        this.threads = threads;
        this.progress = progress;
    }

    List<Finding> check(List<ReferencedObject> objects, boolean deep) throws IOException {
        Map<ObjectLocation, ReferencedObject> unique = new LinkedHashMap<>();
        for (ReferencedObject object : objects) {
            unique.merge(
                    object.location(),
                    object,
                    (a, b) -> a.expectedSize() >= b.expectedSize() ? a : b);
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, Progress.daemon("inspect"));
        AtomicInteger done = new AtomicInteger();
        try {
            List<Future<Optional<Finding>>> results = new ArrayList<>();
            for (ReferencedObject object : unique.values()) {
                results.add(
                        pool.submit(
                                () -> {
                                    Optional<Finding> finding = checkOne(object, deep);
                                    progress.step(
                                            (deep ? "reading" : "checking") + " objects",
                                            done.incrementAndGet(),
                                            unique.size());
                                    return finding;
                                }));
            }
            List<Finding> findings = new ArrayList<>();
            for (Future<Optional<Finding>> result : results) {
                result.get().ifPresent(findings::add);
            }
            return findings;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while checking objects", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException
                    ? (IOException) e.getCause()
                    : new IOException("Cannot check objects", e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private Optional<Finding> checkOne(ReferencedObject object, boolean deep) throws IOException {
        Optional<ObjectInfo> info = store.head(object.location());
        String where = object.location().toString();
        if (info.isEmpty()) {
            return Optional.of(
                    Finding.at(
                            object.owner(),
                            Finding.Kind.MISSING_OBJECT,
                            where,
                            "Missing object "
                                    + where
                                    + " ("
                                    + object.expectedSize()
                                    + " bytes expected)"));
        }
        long size = info.get().size();
        boolean sizeOk =
                object.exactSize() ? size == object.expectedSize() : size >= object.expectedSize();
        if (!sizeOk) {
            return Optional.of(
                    Finding.at(
                            object.owner(),
                            Finding.Kind.SIZE_MISMATCH,
                            where,
                            "Object "
                                    + where
                                    + " has "
                                    + size
                                    + " bytes, its state handle expects "
                                    + (object.exactSize() ? "" : "at least ")
                                    + object.expectedSize()));
        }
        if (deep) {
            long read = readFully(object.location());
            if (read != size) {
                return Optional.of(
                        Finding.at(
                                object.owner(),
                                Finding.Kind.UNREADABLE_OBJECT,
                                where,
                                "Reading "
                                        + where
                                        + " gave "
                                        + read
                                        + " bytes, HEAD said "
                                        + size));
            }
        }
        return Optional.empty();
    }

    private long readFully(ObjectLocation location) throws IOException {
        byte[] buffer = new byte[256 * 1024];
        long total = 0;
        try (SeekableInputStream in = store.open(location)) {
            int n;
            while ((n = in.read(buffer)) != -1) {
                total += n;
            }
        }
        return total;
    }
}
