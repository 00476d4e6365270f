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
import java.util.Set;
import java.util.concurrent.Callable;

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

    /**
     * @param readElsewhere objects a deep check has read already (checksummed segments): only their
     *     existence and size are checked here
     */
    List<Finding> check(
            List<ReferencedObject> objects, boolean deep, Set<ObjectLocation> readElsewhere)
            throws IOException {
        Map<ObjectLocation, ReferencedObject> unique = new LinkedHashMap<>();
        for (ReferencedObject object : objects) {
            unique.merge(
                    object.location(),
                    object,
                    (a, b) -> a.expectedSize() >= b.expectedSize() ? a : b);
        }
        List<Callable<List<Finding>>> checks = new ArrayList<>();
        for (ReferencedObject object : unique.values()) {
            boolean read = deep && !readElsewhere.contains(object.location());
            checks.add(() -> checkOne(object, read).map(List::of).orElse(List.of()));
        }
        return ParallelChecks.run(
                checks, threads, progress, (deep ? "reading" : "checking") + " objects");
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
