package io.flinkrecovery.it;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.RestoredCheckpointStats;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;

import io.flinkrecovery.testing.EmbeddedS3Extension;
import io.flinkrecovery.testing.RecordedRequest;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Local recovery with the incremental heap backend: with {@code
 * execution.checkpointing.local-backup.enabled} and {@code execution.state-recovery.from-local}, a
 * task failure restores the keyed state from the TaskManager's local copy of the checkpoint and
 * downloads no segment; a corrupt or missing local file makes that subtask fall back to S3. Either
 * way the keyed totals equal those computed without Flink.
 *
 * <p>Checkpoints are triggered by the test, so that it knows which checkpoint the restore uses and
 * can damage that checkpoint's local copy before failing the job. The copies are found below the
 * TaskManager's local state root ({@code execution.checkpointing.local-backup.dirs}, a temporary
 * directory here) at {@code localState_<resource
 * id>/aid_<allocation>/jid_<job>/vtx_<vertex>_sti_<subtask>/chk_<n>/incremental-heap-<uuid>/}.
 */
class LocalRecoveryITCase {

    @TempDir static Path localRoot;

    @RegisterExtension
    @Order(1)
    static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("it-local-recovery");

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    () ->
                            TestClusters.miniCluster(
                                    S3,
                                    4,
                                    Map.of(
                                            "execution.checkpointing.local-backup.enabled",
                                            "true",
                                            "execution.state-recovery.from-local",
                                            "true",
                                            "execution.checkpointing.local-backup.dirs",
                                            localRoot.toString())));

    private static final int PARALLELISM = 2;
    private static final long EVENTS = 8_000;
    private static final double EVENTS_PER_SECOND = 800;

    @Test
    void restoresFromTheLocalCopyWithoutDownloadingSegments(@InjectMiniCluster MiniCluster flink)
            throws Exception {
        String runId = "local-copy";
        LocalRecoveryJob job = new LocalRecoveryJob(runId, EVENTS, EVENTS_PER_SECOND);
        JobID id = job.start(jobConfig(runId), PARALLELISM);
        long checkpointId = checkpoints(flink, id, 3);
        List<Path> copies = localCopies(id, checkpointId);

        List<RecordedRequest> requests = failAndFinish(flink, id, job);

        assertRestoredFrom(flink, id, checkpointId);
        assertThat(segmentGets(requests)).as("GETs of segments after the failure").isEmpty();
        assertThat(job.totals()).isEqualTo(job.expectedTotals());
    }

    /**
     * A flipped byte in one subtask's copy and a deleted segment in the other's: both fall back to
     * S3. The segments that restore downloads stay on local disk, so the next checkpoint has a
     * complete local copy again, and a second failure restores from it without any GET.
     */
    @Test
    void fallsBackToS3WhenTheLocalCopyIsCorruptOrIncomplete(@InjectMiniCluster MiniCluster flink)
            throws Exception {
        String runId = "damaged-copy";
        LocalRecoveryJob job = new LocalRecoveryJob(runId, 2 * EVENTS, EVENTS_PER_SECOND);
        JobID id = job.start(jobConfig(runId), PARALLELISM);
        long damaged = checkpoints(flink, id, 3);
        List<Path> copies = localCopies(id, damaged);
        flipByteInNewestSegment(copies.get(0));
        deleteOldestSegment(copies.get(1));

        S3.requests().start();
        try {
            job.failNow();
            awaitRestored(flink, id, job, 1);
        } finally {
            S3.requests().stop();
        }
        assertRestoredFrom(flink, id, damaged);
        assertThat(segmentGets(S3.requests().requests()))
                .as("GETs of segments after the first failure: the damaged copies were not used")
                .isNotEmpty();

        long afterFallback = checkpoints(flink, id, 1);
        assertThat(localCopies(id, afterFallback)).hasSize(PARALLELISM);
        List<RecordedRequest> requests = failAndFinish(flink, id, job);

        assertRestoredFrom(flink, id, afterFallback);
        assertThat(segmentGets(requests))
                .as(
                        "GETs of segments after the second failure, from a copy made after a restore from S3")
                .isEmpty();
        assertThat(job.totals()).isEqualTo(job.expectedTotals());
    }

    private static Configuration jobConfig(String runId) {
        Configuration config = TestClusters.s3Storage(S3, runId);
        TestClusters.useBackend(config, "incremental-heap");
        // Checkpoints only when the test triggers them, and none needed to finish.
        config.setString("execution.checkpointing.interval", "1h");
        config.setString("execution.checkpointing.checkpoints-after-tasks-finish", "false");
        // Every segment an object of its own: a segment inlined into _metadata (under 20 kb by
        // default) is read without a GET, which would make "no GET of a segment" prove nothing.
        config.setString("recovery.storage.inline-threshold", "100b");
        return config;
    }

    /**
     * Waits until every task runs, then triggers {@code count} checkpoints one after another;
     * returns the last one's id. No other checkpoint follows, so Flink keeps its local copies.
     */
    private static long checkpoints(MiniCluster flink, JobID id, int count) throws Exception {
        JobRuns.awaitStatus(flink, id, JobStatus.RUNNING);
        await().alias("every task of " + id + " running")
                .atMost(TestClusters.TIMEOUT)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> allRunning(flink, id));
        long last = -1;
        for (int i = 0; i < count; i++) {
            String pointer = flink.triggerCheckpoint(id).get();
            last = Long.parseLong(pointer.substring(pointer.lastIndexOf("chk-") + 4));
        }
        return last;
    }

    private static boolean allRunning(MiniCluster flink, JobID id) throws Exception {
        int running = 0;
        for (AccessExecutionVertex vertex :
                flink.getExecutionGraph(id).get().getAllExecutionVertices()) {
            if (vertex.getExecutionState() != ExecutionState.RUNNING) {
                return false;
            }
            running++;
        }
        return running > 0;
    }

    /** Fails the job, waits until it finished, and returns the S3 requests since the failure. */
    private static List<RecordedRequest> failAndFinish(
            MiniCluster flink, JobID id, LocalRecoveryJob job) {
        int failures = job.injectedFailures() + 1;
        S3.requests().start();
        try {
            job.failNow();
            JobRuns.awaitStatus(flink, id, JobStatus.FINISHED);
        } finally {
            S3.requests().stop();
        }
        assertThat(job.injectedFailures()).as("injected failures").isEqualTo(failures);
        return S3.requests().requests();
    }

    /** Waits until the job injected its {@code failures}th failure and runs again. */
    private static void awaitRestored(
            MiniCluster flink, JobID id, LocalRecoveryJob job, int failures) {
        await().alias("failure " + failures + " of " + id + " injected")
                .atMost(TestClusters.TIMEOUT)
                .until(() -> job.injectedFailures() == failures);
        await().alias(id + " restored and running")
                .atMost(TestClusters.TIMEOUT)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> JobRuns.restoredFrom(flink, id) != null && allRunning(flink, id));
    }

    private static void assertRestoredFrom(MiniCluster flink, JobID id, long checkpointId)
            throws Exception {
        RestoredCheckpointStats restored = JobRuns.restoredFrom(flink, id);
        assertThat(restored).as("Flink restored from a checkpoint").isNotNull();
        assertThat(restored.getCheckpointId()).isEqualTo(checkpointId);
    }

    /** GETs of segment objects: checkpoint data under {@code shared/}. */
    private static List<RecordedRequest> segmentGets(List<RecordedRequest> requests) {
        return requests.stream()
                .filter(r -> r.kind() == RecordedRequest.Kind.GET_OBJECT)
                .filter(r -> r.key().contains("/shared/"))
                .collect(Collectors.toList());
    }

    /** The local copies of the keyed operator's subtasks for a checkpoint, by subtask. */
    private static List<Path> localCopies(JobID id, long checkpointId) throws IOException {
        List<Path> tree = localTree();
        List<Path> copies =
                tree.stream()
                        .filter(p -> p.getFileName().toString().startsWith("incremental-heap-"))
                        .filter(
                                p ->
                                        p.getParent()
                                                .getFileName()
                                                .toString()
                                                .equals("chk_" + checkpointId))
                        .filter(p -> p.toString().contains("jid_" + id))
                        .sorted()
                        .collect(Collectors.toList());
        assertThat(copies)
                .as(
                        "local copies of checkpoint %d among %s",
                        checkpointId,
                        tree.stream().map(Path::toString).collect(Collectors.joining("\n")))
                .hasSize(PARALLELISM);
        return copies;
    }

    /**
     * The directories below the local state root. Flink deletes the copies of older checkpoints
     * meanwhile, so what vanishes during the walk is skipped.
     */
    private static List<Path> localTree() throws IOException {
        List<Path> directories = new ArrayList<>();
        Files.walkFileTree(
                localRoot,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(
                            Path dir, BasicFileAttributes attributes) {
                        directories.add(dir);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) {
                        return FileVisitResult.CONTINUE;
                    }
                });
        return directories;
    }

    private static List<Path> segmentsByAge(Path copy) throws IOException {
        try (Stream<Path> files = Files.list(copy)) {
            List<Path> segments =
                    files.filter(p -> p.getFileName().toString().startsWith("segment-"))
                            .sorted(Comparator.comparing(LocalRecoveryITCase::modified))
                            .collect(Collectors.toList());
            assertThat(segments).as("segments in the local copy %s", copy).isNotEmpty();
            return segments;
        }
    }

    /**
     * Flips a byte in the middle of the checkpoint's own segment, whose blocks (after the 16-byte
     * header) the manifest all references.
     */
    private static void flipByteInNewestSegment(Path copy) throws IOException {
        List<Path> segments = segmentsByAge(copy);
        Path newest = segments.get(segments.size() - 1);
        try (RandomAccessFile file = new RandomAccessFile(newest.toFile(), "rw")) {
            long position = 16 + (file.length() - 16) / 2;
            file.seek(position);
            int value = file.read();
            file.seek(position);
            file.write(value ^ 0xff);
        }
    }

    private static void deleteOldestSegment(Path copy) throws IOException {
        Files.delete(segmentsByAge(copy).get(0));
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read the modification time of " + file, e);
        }
    }
}
