package io.flinkrecovery.it;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.state.IncrementalRemoteKeyedStateHandle;
import org.apache.flink.runtime.state.KeyedStateHandle;

import io.flinkrecovery.backend.snapshot.BlockRef;
import io.flinkrecovery.backend.snapshot.Manifest;
import io.flinkrecovery.inspect.RestoreInspector;
import io.flinkrecovery.objectstore.ObjectInfo;
import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectStore;
import io.flinkrecovery.storage.S3CheckpointStorage;

import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs, cancellations and checks of {@link AllStatesJob} shared by the incremental heap ITCases.
 */
final class HeapRuns {

    private HeapRuns() {}

    /** A checkpoint or savepoint a run left behind, and how many events it holds. */
    record Retained(JobID job, String pointer, long checkpointId, long events) {}

    /** Starts the job, lets it complete {@code checkpoints} checkpoints, and cancels it. */
    static Retained runAndCancel(
            MiniCluster flink,
            Configuration config,
            AllStatesJob job,
            int parallelism,
            int checkpoints)
            throws Exception {
        JobID id = job.start(config, parallelism);
        Checkpoints.awaitStats(
                flink,
                id,
                checkpoints + " checkpoints",
                s -> Checkpoints.completed(s) >= checkpoints);
        return cancel(flink, config, job, id);
    }

    /**
     * Cancels a running job and returns its newest checkpoint, which the restore inspector finds
     * intact down to the checksums, and which holds some but not all events.
     */
    static Retained cancel(MiniCluster flink, Configuration config, AllStatesJob job, JobID id)
            throws Exception {
        flink.cancelJob(id).get();
        JobRuns.awaitStatus(flink, id, JobStatus.CANCELED);
        CompletedCheckpointStats latest =
                Checkpoints.stats(flink, id).getHistory().getLatestCompletedCheckpoint();
        assertThat(latest).as("a completed checkpoint of " + id).isNotNull();
        Retained retained = retained(job, id, latest);
        assertThat(
                        new RestoreInspector(store(config))
                                .validate(retained.pointer(), true)
                                .findings())
                .as("inspector findings on " + retained.pointer())
                .isEmpty();
        return retained;
    }

    /** The newest savepoint of a job, which holds some but not all events. */
    static Retained latestSavepoint(MiniCluster flink, AllStatesJob job, JobID id) {
        CompletedCheckpointStats savepoint =
                Checkpoints.stats(flink, id).getHistory().getLatestSavepoint();
        assertThat(savepoint).as("a savepoint of " + id).isNotNull();
        return retained(job, id, savepoint);
    }

    private static Retained retained(
            AllStatesJob job, JobID id, CompletedCheckpointStats checkpoint) {
        long events =
                job.operatorCountAt(id, AllStatesJob.COUNTER_UID, checkpoint.getCheckpointId());
        assertThat(events)
                .as("events in checkpoint %d of %s", checkpoint.getCheckpointId(), id)
                .isPositive()
                .isLessThan(job.events());
        return new Retained(id, checkpoint.getExternalPath(), checkpoint.getCheckpointId(), events);
    }

    /**
     * Checks a finished run against {@link AllStatesModel}: every summary the job emitted under its
     * run id, and the event counts in the operator state of the source side (one subtask) and of
     * the keyed operator ({@code parallelism} subtasks).
     */
    static void assertExactlyOnce(AllStatesJob job, JobID finished, int parallelism) {
        AllStatesModel expected = AllStatesModel.compute(job.events(), job.keys());
        AllStatesJob.Results results = job.results();
        assertThat(expected.mismatches(results)).as("mismatches with the reference").isEmpty();
        assertThat(results.finals).hasSameSizeAs(expected.finals());
        assertThat(results.progress).as("summaries emitted by processing-time timers").isNotEmpty();
        assertThat(job.operatorCounts(finished, AllStatesJob.COUNTER_UID))
                .as("events counted in the source side's operator state")
                .containsExactly(Map.entry(0, job.events()));
        SortedMap<Integer, Long> keyed = job.operatorCounts(finished, AllStatesJob.STATES_UID);
        assertThat(keyed.keySet()).as("subtasks of the keyed operator").hasSize(parallelism);
        assertThat(keyed.values().stream().mapToLong(Long::longValue).sum())
                .as("events counted in the keyed operator's operator state, %s", keyed)
                .isEqualTo(job.events());
    }

    /**
     * Every block that the manifests of a retained checkpoint's incremental heap handles name, read
     * through Flink's file systems as a restore reads them.
     */
    static List<BlockRef> blocks(Retained checkpoint) throws IOException {
        CheckpointMetadata metadata;
        Path path = new Path(checkpoint.pointer() + "/_metadata");
        try (DataInputStream in = new DataInputStream(path.getFileSystem().open(path))) {
            metadata =
                    org.apache.flink.runtime.checkpoint.Checkpoints.loadCheckpointMetadata(
                            in, HeapRuns.class.getClassLoader(), checkpoint.pointer());
        }
        List<BlockRef> blocks = new ArrayList<>();
        for (OperatorState operator : metadata.getOperatorStates()) {
            for (OperatorSubtaskState subtask : operator.getStates()) {
                for (KeyedStateHandle handle : subtask.getManagedKeyedState()) {
                    Manifest manifest =
                            Manifest.read(
                                    ((IncrementalRemoteKeyedStateHandle) handle)
                                            .getMetaDataStateHandle(),
                                    HeapRuns.class.getClassLoader());
                    manifest.chains().forEach(blocks::addAll);
                }
            }
        }
        return blocks;
    }

    static ObjectStore store(Configuration config) {
        return S3CheckpointStorage.fromConfig(config).objectStore();
    }

    /** Every object below {@code prefix}, with its size. */
    static SortedMap<String, Long> objects(ObjectStore store, String prefix) throws IOException {
        try (Stream<ObjectInfo> all = store.list(ObjectLocation.parse(prefix + "/"))) {
            return all.collect(
                    Collectors.toMap(
                            o -> o.location().toString(),
                            ObjectInfo::size,
                            (a, b) -> a,
                            TreeMap::new));
        }
    }

    static void delete(ObjectStore store, Collection<String> locations) throws IOException {
        store.deleteBatch(locations.stream().map(ObjectLocation::parse).toList());
    }
}
