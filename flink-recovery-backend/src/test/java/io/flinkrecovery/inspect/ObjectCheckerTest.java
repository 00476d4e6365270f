package io.flinkrecovery.inspect;

import org.apache.flink.configuration.Configuration;

import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectStore;
import io.flinkrecovery.objectstore.RequestCounters;
import io.flinkrecovery.objectstore.RequestKind;
import io.flinkrecovery.objectstore.s3.S3ClientSettings;
import io.flinkrecovery.objectstore.s3.S3ObjectStores;
import io.flinkrecovery.testing.EmbeddedS3Extension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** Existence and size checks, by HEAD for a few objects and by LIST for crowded directories. */
class ObjectCheckerTest {

    @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("checker");

    private final ObjectStore store =
            S3ObjectStores.forSettings(
                    S3ClientSettings.fromConfig(Configuration.fromMap(S3.flinkConfig())));
    private final String prefix = "job-" + UUID.randomUUID() + "/shared/";
    private final HandleOwner owner = new HandleOwner("totals", 1);

    private List<ReferencedObject> writeObjects(int count) throws Exception {
        List<ReferencedObject> objects = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ObjectLocation location = ObjectLocation.of(S3.bucket(), prefix + "object-" + i);
            store.put(location, new byte[100 + i]);
            objects.add(new ReferencedObject(location, 100 + i, true, owner, false));
        }
        return objects;
    }

    private List<Finding> check(List<ReferencedObject> objects) throws Exception {
        return new ObjectChecker(store, 4, Progress.NONE).check(objects, false, Set.of());
    }

    @Test
    void crowdedDirectoryIsListedOnceAndStillFindsMissingAndShortObjects() throws Exception {
        List<ReferencedObject> objects = writeObjects(20);
        store.deleteBatch(List.of(objects.get(3).location()));
        store.put(objects.get(7).location(), new byte[5]);
        RequestCounters.Snapshot before = store.counters().snapshot();

        List<Finding> findings = check(objects);

        RequestCounters.Snapshot requests = store.counters().snapshot().minus(before);
        assertThat(findings)
                .extracting(Finding::kind, Finding::object)
                .containsExactlyInAnyOrder(
                        tuple(Finding.Kind.MISSING_OBJECT, objects.get(3).location().toString()),
                        tuple(Finding.Kind.SIZE_MISMATCH, objects.get(7).location().toString()));
        // One listing (S3Proxy ends it with an empty second page) instead of 20 HEADs ...
        assertThat(requests.requests(RequestKind.LIST)).isBetween(1L, 2L);
        // ... and a HEAD only for the object the listing did not show, to confirm it is missing.
        assertThat(requests.requests(RequestKind.HEAD)).isEqualTo(1);
    }

    @Test
    void fewObjectsAreCheckedWithHeads() throws Exception {
        List<ReferencedObject> objects = writeObjects(ObjectChecker.LIST_FROM_OBJECTS - 1);
        RequestCounters.Snapshot before = store.counters().snapshot();

        assertThat(check(objects)).isEmpty();

        RequestCounters.Snapshot requests = store.counters().snapshot().minus(before);
        assertThat(requests.requests(RequestKind.LIST)).isZero();
        assertThat(requests.requests(RequestKind.HEAD)).isEqualTo(objects.size());
    }

    @Test
    void deepModeVerifiesRocksDbSstFilesOrSaysItCouldNot() throws Exception {
        ObjectLocation sst = ObjectLocation.of(S3.bucket(), prefix + "000042.sst");
        byte[] notATable = new byte[4096];
        new Random(42).nextBytes(notATable);
        store.put(sst, notATable);
        List<ReferencedObject> objects =
                List.of(new ReferencedObject(sst, notATable.length, true, owner, true));

        List<Finding> verified =
                new ObjectChecker(store, 4, Progress.NONE, true).check(objects, true, Set.of());
        List<Finding> unverified =
                new ObjectChecker(store, 4, Progress.NONE, false).check(objects, true, Set.of());

        assertThat(verified)
                .singleElement()
                .satisfies(
                        f -> {
                            assertThat(f.kind()).isEqualTo(Finding.Kind.CHECKSUM_MISMATCH);
                            assertThat(f.kind().isError()).isTrue();
                            assertThat(f.object()).isEqualTo(sst.toString());
                            assertThat(f.message())
                                    .startsWith("RocksDB cannot verify " + sst + " (4096 bytes): ");
                        });
        assertThat(unverified)
                .singleElement()
                .satisfies(
                        f -> {
                            assertThat(f.kind()).isEqualTo(Finding.Kind.NOT_VERIFIED);
                            assertThat(f.kind().isError()).isFalse();
                            assertThat(f.message())
                                    .startsWith(
                                            "1 RocksDB SST file(s) were read in full but not"
                                                    + " verified");
                        });
        assertThat(new ObjectChecker(store, 4, Progress.NONE, true).check(objects, false, Set.of()))
                .as("fast mode checks the size only")
                .isEmpty();
    }
}
