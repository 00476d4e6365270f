package io.flinkrecovery.inspect;

import io.flinkrecovery.objectstore.ObjectInfo;
import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectStore;
import io.flinkrecovery.objectstore.SeekableInputStream;

import javax.annotation.Nullable;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Checks referenced objects in parallel: existence and size, and in deep mode a full read that must
 * deliver exactly the expected bytes. Each object is checked once, however many handles name it.
 *
 * <p>Where a directory holds many referenced objects (RocksDB's SST files, our segments in {@code
 * shared/}), one LIST replaces their HEADs: a thousand objects per request instead of one. The
 * listing is cut off at a few times the referenced objects, so a directory full of other objects
 * costs no more than the HEADs would; an object the listing does not show is looked up with a HEAD
 * before it is reported missing.
 */
final class ObjectChecker {

    /** Referenced objects in one directory from which a LIST pays off. */
    static final int LIST_FROM_OBJECTS = 8;

    private final ObjectStore store;
    private final int threads;
    private final Progress progress;
    private final boolean verifySsts;
    private final AtomicInteger unverifiedSsts = new AtomicInteger();

    ObjectChecker(ObjectStore store, int threads, Progress progress) {
        this(store, threads, progress, RocksDbSst.isAvailable());
    }

    /**
     * @param verifySsts whether deep mode verifies RocksDB's SST files (only where the RocksDB
     *     classes are on the class path)
     */
    ObjectChecker(ObjectStore store, int threads, Progress progress, boolean verifySsts) {
        this.store = store;
        this.threads = threads;
        this.progress = progress;
        this.verifySsts = verifySsts;
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
        Map<ObjectLocation, ObjectInfo> listed = listCrowdedDirectories(unique.keySet());
        List<Callable<List<Finding>>> checks = new ArrayList<>();
        for (ReferencedObject object : unique.values()) {
            boolean read = deep && !readElsewhere.contains(object.location());
            ObjectInfo info = listed.get(object.location());
            checks.add(() -> checkOne(object, info, read).map(List::of).orElse(List.of()));
        }
        List<Finding> findings =
                new ArrayList<>(
                        ParallelChecks.run(
                                checks,
                                threads,
                                progress,
                                (deep ? "reading" : "checking") + " objects"));
        int unverified = unverifiedSsts.get();
        if (unverified > 0) {
            findings.add(
                    Finding.of(
                            Finding.Kind.NOT_VERIFIED,
                            null,
                            unverified
                                    + " RocksDB SST file(s) were read in full but not verified:"
                                    + " their block checksums need the RocksDB classes"
                                    + " (frocksdbjni, in Flink's lib/) on the class path"));
        }
        return findings;
    }

    /** Lists each directory that holds at least {@link #LIST_FROM_OBJECTS} of the objects. */
    private Map<ObjectLocation, ObjectInfo> listCrowdedDirectories(Set<ObjectLocation> objects)
            throws IOException {
        Map<ObjectLocation, Set<ObjectLocation>> byDirectory = new HashMap<>();
        for (ObjectLocation object : objects) {
            byDirectory.computeIfAbsent(object.parent(), d -> new HashSet<>()).add(object);
        }
        Map<ObjectLocation, ObjectInfo> listed = new HashMap<>();
        for (Map.Entry<ObjectLocation, Set<ObjectLocation>> directory : byDirectory.entrySet()) {
            Set<ObjectLocation> wanted = directory.getValue();
            if (wanted.size() < LIST_FROM_OBJECTS) {
                continue;
            }
            try (Stream<ObjectInfo> listing =
                    store.list(directory.getKey().child("")).limit(4L * wanted.size() + 1000)) {
                listing.filter(info -> wanted.contains(info.location()))
                        .forEach(info -> listed.put(info.location(), info));
            }
        }
        return listed;
    }

    /**
     * @param listed the object as a listing showed it, or null to look it up
     */
    private Optional<Finding> checkOne(
            ReferencedObject object, @Nullable ObjectInfo listed, boolean deep) throws IOException {
        Optional<ObjectInfo> info =
                listed != null ? Optional.of(listed) : store.head(object.location());
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
        if (deep && object.rocksDbSst() && verifySsts) {
            RocksDbSst.Verified verified = RocksDbSst.verify(store, object.location());
            if (verified.problem.isPresent()) {
                return Optional.of(
                        Finding.at(
                                object.owner(),
                                Finding.Kind.CHECKSUM_MISMATCH,
                                where,
                                "RocksDB cannot verify "
                                        + where
                                        + " ("
                                        + verified.size
                                        + " bytes): "
                                        + verified.problem.get()));
            }
            if (verified.size != size) {
                return Optional.of(
                        Finding.at(
                                object.owner(),
                                Finding.Kind.UNREADABLE_OBJECT,
                                where,
                                "Reading "
                                        + where
                                        + " gave "
                                        + verified.size
                                        + " bytes, HEAD said "
                                        + size));
            }
            return Optional.empty();
        }
        if (deep) {
            if (object.rocksDbSst()) {
                unverifiedSsts.incrementAndGet();
            }
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
