package io.flinkrecovery.it;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;

import io.flinkrecovery.compat.InspectedOperatorNames;
import io.flinkrecovery.examples.totals.ExpectedTotals;
import io.flinkrecovery.examples.totals.RunningTotalsJob;
import io.flinkrecovery.inspect.CheckpointSummary;
import io.flinkrecovery.inspect.Finding;
import io.flinkrecovery.inspect.InspectionReport;
import io.flinkrecovery.inspect.OrphanReport;
import io.flinkrecovery.inspect.RestoreInspector;
import io.flinkrecovery.objectstore.ObjectInfo;
import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectStore;
import io.flinkrecovery.storage.S3CheckpointStorage;
import io.flinkrecovery.testing.EmbeddedS3Extension;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The restore inspector on real checkpoints of the heap and RocksDB incremental backends: zero
 * findings on untouched checkpoints; every injected corruption detected and named; orphans found
 * without touching referenced objects; and Flink's restore failing fast, or falling back to the
 * newest valid checkpoint when asked.
 */
class RestoreInspectorITCase {

    @RegisterExtension
    @Order(1)
    static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("it-inspect");

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    () ->
                            TestClusters.miniCluster(
                                    S3, 2, Map.of("execution.checkpointing.num-retained", "3")));

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "incremental-heap", "rocksdb-incremental"})
    void detectsEveryCorruptionAndRestoreFailsFastOrFallsBack(
            String backend, @InjectMiniCluster MiniCluster flink) throws Exception {
        String runId = "inspect-" + backend;
        Configuration config = TestClusters.s3Storage(S3, runId);
        TestClusters.useBackend(config, backend);
        config.setString("recovery.storage.inline-threshold", "100b");
        ObjectStore store = S3CheckpointStorage.fromConfig(config).objectStore();
        RestoreInspector inspector = new RestoreInspector(store);

        JobID job = JobRuns.start(config, job(runId), 2);
        Checkpoints.awaitStats(flink, job, "5 checkpoints", s -> Checkpoints.completed(s) >= 5);
        flink.cancelJob(job).get();
        JobRuns.awaitStatus(flink, job, JobStatus.CANCELED);
        String jobDir = TestClusters.checkpointDir(S3, runId) + "/" + job;

        // Flink discards subsumed checkpoints asynchronously; wait until only the 3 retained
        // remain.
        List<String> retained = new ArrayList<>();
        await().atMost(TestClusters.TIMEOUT)
                .untilAsserted(
                        () -> {
                            retained.clear();
                            inspector.list(jobDir).stream()
                                    .filter(c -> c.status() == CheckpointSummary.Status.COMPLETED)
                                    .map(CheckpointSummary::pointer)
                                    .forEach(retained::add);
                            assertThat(retained).hasSize(3);
                        });
        String newest = retained.get(0);
        String middle = retained.get(1);
        String oldest = retained.get(2);
        for (String pointer : retained) {
            InspectionReport report = inspector.validate(pointer, true);
            assertThat(report.findings()).as(pointer).isEmpty();
            assertThat(report.objectsChecked()).as(pointer).isPositive();
            assertThat(report.metadataVersion().map(v -> v.writtenBy()))
                    .as("the Flink line that wrote %s", pointer)
                    .contains(
                            EnvironmentInformation.getVersion().startsWith("1.")
                                    ? "Flink 1.x"
                                    : "Flink 2.x");
        }
        assertThat(inspector.latestValid(jobDir).map(InspectionReport::pointer)).contains(newest);

        // An extra object is an orphan; nothing referenced is.
        ObjectLocation orphan = ObjectLocation.parse(jobDir + "/shared/orphan-" + backend);
        store.put(orphan, new byte[] {1, 2, 3});
        // ForSt's working files (primary dir = checkpoint dir) are never orphans.
        ObjectLocation working =
                ObjectLocation.parse(jobDir + "/shared/op_KeyedProcess_0_attempt_0/db/000009.sst");
        store.put(working, new byte[] {4, 5, 6});
        Instant later = Instant.now().plusSeconds(5);
        OrphanReport young = inspector.orphans(jobDir, Duration.ofHours(1), false, Instant.now());
        assertThat(young.orphans()).isEmpty();
        assertThat(young.tooYoung()).isGreaterThanOrEqualTo(1);
        OrphanReport collected = inspector.orphans(jobDir, Duration.ZERO, true, later);
        // Also objects of a checkpoint that was in progress when the job was cancelled.
        assertThat(collected.orphans()).extracting(ObjectInfo::location).contains(orphan);
        assertThat(store.head(orphan)).isEmpty();
        assertThat(collected.orphans()).extracting(ObjectInfo::location).doesNotContain(working);
        assertThat(collected.workingFiles()).isEqualTo(1);
        assertThat(store.head(working)).isPresent();
        for (String pointer : retained) {
            assertThat(inspector.validate(pointer, false).findings()).as(pointer).isEmpty();
        }

        // A deleted exclusive object of the newest checkpoint.
        ObjectLocation exclusive =
                firstObject(store, newest + "/", l -> !l.name().equals("_metadata"));
        store.deleteBatch(List.of(exclusive));
        InspectionReport missing = inspector.validate(newest, false);
        assertThat(missing.isValid()).isFalse();
        assertThat(missing.findings())
                .singleElement()
                .satisfies(
                        f -> {
                            assertThat(f.kind()).isEqualTo(Finding.Kind.MISSING_OBJECT);
                            assertThat(f.object()).isEqualTo(exclusive.toString());
                            assertThat(f.operator())
                                    .isIn(
                                            InspectedOperatorNames.ofUids(
                                                    RunningTotalsJob.TOTALS_UID,
                                                    RunningTotalsJob.SOURCE_UID,
                                                    RunningTotalsJob.FAILURE_UID,
                                                    RunningTotalsJob.SINK_UID));
                            assertThat(f.subtask()).isBetween(0, 1);
                        });
        assertThat(inspector.latestValid(jobDir).map(InspectionReport::pointer)).contains(middle);

        // Flink's restore path fails fast, naming the object ...
        Configuration restore = new Configuration(config);
        restore.setString("execution.state-recovery.path", newest);
        JobID failed = JobRuns.start(restore, job(runId), 2);
        JobRuns.awaitStatus(flink, failed, JobStatus.FAILED);
        Throwable cause = flink.requestJobResult(failed).get().getSerializedThrowable().get();
        assertThat(ExceptionUtils.stringifyException(cause))
                .contains(
                        "Cannot restore from "
                                + newest
                                + ": the restore inspector found 1 problem(s)")
                .contains("Missing object " + exclusive);

        // ... or, when asked, restores the newest valid checkpoint.
        restore.setString("recovery.restore.fallback", "LATEST_VALID");
        JobID fallback = JobRuns.start(restore, job(runId), 2);
        JobRuns.awaitStatus(flink, fallback, JobStatus.FINISHED);
        assertThat(JobRuns.restoredFrom(flink, fallback).getExternalPath()).isEqualTo(middle);
        assertThat(ExpectedTotals.mismatches(job(runId).expected(), job(runId).results()))
                .isEmpty();

        // One flipped byte in a segment of our backend: found by --deep through the manifest CRCs.
        if (backend.equals("incremental-heap")) {
            Map<ObjectLocation, byte[]> originals = new java.util.HashMap<>();
            try (Stream<ObjectInfo> segments =
                    store.list(ObjectLocation.parse(jobDir + "/shared/"))) {
                for (ObjectInfo segment : segments.collect(Collectors.toList())) {
                    byte[] original = read(store, segment.location());
                    byte[] flipped = original.clone();
                    flipped[flipped.length / 2] ^= 0x01;
                    store.put(segment.location(), flipped);
                    originals.put(segment.location(), original);
                }
            }
            assertThat(inspector.validate(middle, false).isValid())
                    .as("fast mode sees sizes only")
                    .isTrue();
            List<Finding> flips = inspector.validate(middle, true).findings();
            assertThat(flips).isNotEmpty();
            assertThat(flips)
                    .allSatisfy(
                            f -> {
                                assertThat(f.kind()).isEqualTo(Finding.Kind.CHECKSUM_MISMATCH);
                                assertThat(originals).containsKey(ObjectLocation.parse(f.object()));
                                assertThat(f.message()).contains("Block of key group");
                            });
            for (Map.Entry<ObjectLocation, byte[]> original : originals.entrySet()) {
                store.put(original.getKey(), original.getValue());
            }
            assertThat(inspector.validate(middle, true).findings()).isEmpty();
        }

        // One flipped byte in the middle of every shared SST file of RocksDB: found by --deep
        // through RocksDB's own block checksums; sizes still match, so fast mode passes.
        if (backend.equals("rocksdb-incremental")) {
            Map<ObjectLocation, byte[]> originals = new java.util.HashMap<>();
            try (Stream<ObjectInfo> files = store.list(ObjectLocation.parse(jobDir + "/shared/"))) {
                for (ObjectInfo file : files.collect(Collectors.toList())) {
                    byte[] original = read(store, file.location());
                    byte[] flipped = original.clone();
                    flipped[flipped.length / 2] ^= 0x01;
                    store.put(file.location(), flipped);
                    originals.put(file.location(), original);
                }
            }
            assertThat(originals).as("shared SST files").isNotEmpty();
            assertThat(inspector.validate(middle, false).isValid())
                    .as("fast mode sees sizes only")
                    .isTrue();
            InspectionReport deep = inspector.validate(middle, true);
            assertThat(deep.isValid()).isFalse();
            assertThat(deep.findings()).isNotEmpty();
            assertThat(deep.findings())
                    .allSatisfy(
                            f -> {
                                assertThat(f.kind()).isEqualTo(Finding.Kind.CHECKSUM_MISMATCH);
                                assertThat(originals).containsKey(ObjectLocation.parse(f.object()));
                                assertThat(f.message())
                                        .startsWith("RocksDB cannot verify " + f.object())
                                        .doesNotContain("flink-recovery-inspect-");
                            });
            for (Map.Entry<ObjectLocation, byte[]> original : originals.entrySet()) {
                store.put(original.getKey(), original.getValue());
            }
            assertThat(inspector.validate(middle, true).findings()).isEmpty();
        }

        // A truncated object.
        ObjectLocation truncated =
                firstObject(store, middle + "/", l -> !l.name().equals("_metadata"));
        byte[] bytes = read(store, truncated);
        store.put(truncated, Arrays.copyOf(bytes, bytes.length / 2));
        assertThat(inspector.validate(middle, false).findings())
                .extracting(Finding::kind, Finding::object)
                // A truncated manifest of ours is also unreadable: a second finding.
                .contains(
                        org.assertj.core.groups.Tuple.tuple(
                                Finding.Kind.SIZE_MISMATCH, truncated.toString()));

        // A deleted shared object (an SST file of RocksDB, a segment of ours).
        if (!backend.equals("hashmap")) {
            ObjectLocation shared = firstObject(store, jobDir + "/shared/", l -> true);
            store.deleteBatch(List.of(shared));
            List<Finding> found = new ArrayList<>();
            for (String pointer : retained) {
                found.addAll(inspector.validate(pointer, false).findings());
            }
            assertThat(found)
                    .extracting(Finding::kind, Finding::object)
                    .contains(
                            org.assertj.core.groups.Tuple.tuple(
                                    Finding.Kind.MISSING_OBJECT, shared.toString()));
        }

        // A truncated _metadata, then a missing one.
        ObjectLocation metadata = ObjectLocation.parse(oldest + "/_metadata");
        byte[] metadataBytes = read(store, metadata);
        store.put(metadata, Arrays.copyOf(metadataBytes, metadataBytes.length / 2));
        assertThat(inspector.validate(oldest, false).findings())
                .extracting(Finding::kind)
                .containsExactly(Finding.Kind.UNREADABLE_METADATA);
        store.deleteBatch(List.of(metadata));
        assertThat(inspector.validate(oldest, false).findings())
                .extracting(Finding::kind)
                .containsExactly(Finding.Kind.MISSING_METADATA);
        assertThat(inspector.list(jobDir))
                .filteredOn(c -> c.pointer().equals(oldest))
                .extracting(CheckpointSummary::status)
                .containsExactly(CheckpointSummary.Status.INCOMPLETE);
        assertThat(inspector.latestValid(jobDir)).isEmpty();
    }

    private static RunningTotalsJob job(String runId) {
        return RunningTotalsJob.builder(runId)
                .events(12_000)
                .keys(200)
                .eventsPerSecond(2_000)
                .build();
    }

    private static ObjectLocation firstObject(
            ObjectStore store, String prefix, java.util.function.Predicate<ObjectLocation> filter)
            throws IOException {
        try (Stream<ObjectInfo> objects = store.list(ObjectLocation.parse(prefix))) {
            return objects.map(ObjectInfo::location)
                    .filter(filter)
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("No object below " + prefix));
        }
    }

    private static byte[] read(ObjectStore store, ObjectLocation location) throws IOException {
        try (java.io.InputStream in = store.open(location)) {
            return in.readAllBytes();
        }
    }
}
