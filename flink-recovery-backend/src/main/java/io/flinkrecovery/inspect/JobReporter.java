package io.flinkrecovery.inspect;

import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.IncrementalRemoteKeyedStateHandle;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.KeyGroupRangeOffsets;
import org.apache.flink.runtime.state.KeyGroupsStateHandle;
import org.apache.flink.runtime.state.KeyedStateHandle;

import io.flinkrecovery.backend.snapshot.BlockRef;
import io.flinkrecovery.backend.snapshot.Manifest;
import io.flinkrecovery.inspect.CheckpointContents.OperatorKeyGroups;
import io.flinkrecovery.inspect.CheckpointSummary.Status;
import io.flinkrecovery.inspect.JobReport.Backend;
import io.flinkrecovery.objectstore.ObjectInfo;
import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectStore;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Builds a {@link JobReport}: one pass over the job directory's checkpoints and objects. */
final class JobReporter {

    private final RestoreInspector inspector;
    private final ObjectStore store;
    private final ClassLoader classLoader;

    JobReporter(RestoreInspector inspector, ObjectStore store, ClassLoader classLoader) {
        this.inspector = inspector;
        this.store = store;
        this.classLoader = classLoader;
    }

    JobReport report(String jobDirectory, int parallelism, Duration grace, Instant now)
            throws IOException {
        ObjectLocation job = ObjectLocation.parse(jobDirectory).withoutTrailingSlash();
        List<CheckpointSummary> listed = new ArrayList<>(inspector.list(job.toString()));
        listed.sort(Comparator.comparingLong(CheckpointSummary::checkpointId));
        List<JobReport.Checkpoint> checkpoints = new ArrayList<>();
        int incomplete = 0;
        CheckpointContents newest = null;
        for (CheckpointSummary summary : listed) {
            if (summary.checkpointId() < 0) {
                continue;
            }
            if (summary.status() == Status.INCOMPLETE) {
                incomplete++;
                continue;
            }
            InspectionReport validation = inspector.validate(summary.pointer(), false);
            ObjectLocation metadata = MetadataLoader.metadataOf(summary.pointer());
            Optional<ObjectInfo> metadataObject = store.head(metadata);
            MetadataLoader.Loaded loaded;
            try {
                loaded = MetadataLoader.load(store, metadata, classLoader);
            } catch (IOException | RuntimeException e) {
                // The validation says why; the row shows what can be known without it.
                checkpoints.add(
                        new JobReport.Checkpoint(
                                summary.checkpointId(),
                                summary.pointer(),
                                Backend.UNKNOWN,
                                0,
                                0,
                                0,
                                metadataObject.map(ObjectInfo::size).orElse(0L),
                                summary.lastModified(),
                                null,
                                validation));
                newest = null;
                continue;
            }
            CheckpointContents contents = CheckpointContents.of(loaded.metadata);
            long stateBytes = 0;
            long newBytes = 0;
            // The subtasks' state, as Flink's checkpoint statistics count it: a source
            // coordinator's state lives inside _metadata, counted with its bytes.
            for (OperatorState operator : loaded.metadata.getOperatorStates()) {
                for (OperatorSubtaskState subtask : operator.getSubtaskStates().values()) {
                    stateBytes += subtask.getStateSize();
                    newBytes += subtask.getCheckpointedSize();
                }
            }
            checkpoints.add(
                    new JobReport.Checkpoint(
                            loaded.metadata.getCheckpointId(),
                            summary.pointer(),
                            backend(contents),
                            stateBytes,
                            newBytes,
                            (int)
                                    contents.objects().stream()
                                            .map(ReferencedObject::location)
                                            .distinct()
                                            .count(),
                            metadataObject.map(ObjectInfo::size).orElse(0L),
                            metadataObject
                                    .map(ObjectInfo::lastModified)
                                    .orElse(summary.lastModified()),
                            loaded.version.writtenBy(),
                            validation));
            newest = contents;
        }
        List<JobReport.KeyGroups> keyGroups = new ArrayList<>();
        List<RestorePlan> plans = new ArrayList<>();
        if (newest != null) {
            keyGroups.addAll(keyGroups(newest));
            int current =
                    newest.keyGroups().values().stream()
                            .mapToInt(OperatorKeyGroups::parallelism)
                            .max()
                            .orElse(0);
            String pointer = checkpoints.get(checkpoints.size() - 1).pointer();
            if (current > 0) {
                plans.add(inspector.plan(pointer, current));
                if (parallelism > 0 && parallelism != current) {
                    plans.add(inspector.plan(pointer, parallelism));
                }
            }
        }
        return new JobReport(
                job.toString(),
                now,
                checkpoints,
                incomplete,
                keyGroups,
                plans,
                space(job, grace, now));
    }

    private Backend backend(CheckpointContents contents) throws IOException {
        Set<Backend> found = EnumSet.noneOf(Backend.class);
        for (List<KeyedStateHandle> handles : contents.keyedHandles().values()) {
            for (KeyedStateHandle handle : handles) {
                if (handle instanceof KeyGroupsStateHandle) {
                    found.add(Backend.FULL_KEY_GROUPS);
                } else if (handle instanceof IncrementalRemoteKeyedStateHandle) {
                    IncrementalRemoteKeyedStateHandle incremental =
                            (IncrementalRemoteKeyedStateHandle) handle;
                    // One manifest read per format is enough: a job's subtasks share a backend.
                    if (!found.contains(Backend.INCREMENTAL_HEAP)
                            && !found.contains(Backend.ROCKSDB_INCREMENTAL)) {
                        found.add(
                                Manifests.read(store, incremental.getMetaDataStateHandle())
                                                .isPresent()
                                        ? Backend.INCREMENTAL_HEAP
                                        : Backend.ROCKSDB_INCREMENTAL);
                    }
                }
            }
        }
        if (found.isEmpty()) {
            return Backend.NO_KEYED_STATE;
        }
        return found.size() == 1 ? found.iterator().next() : Backend.MIXED;
    }

    private List<JobReport.KeyGroups> keyGroups(CheckpointContents contents) throws IOException {
        List<JobReport.KeyGroups> result = new ArrayList<>();
        for (Map.Entry<String, List<KeyedStateHandle>> operator :
                contents.keyedHandles().entrySet()) {
            OperatorKeyGroups ranges = contents.keyGroups().get(operator.getKey());
            for (KeyedStateHandle handle : operator.getValue()) {
                KeyGroupRange range = handle.getKeyGroupRange();
                if (range.getNumberOfKeyGroups() == 0) {
                    continue;
                }
                int subtask =
                        KeyGroupRangeAssignment.computeOperatorIndexForKeyGroup(
                                ranges.maxParallelism(),
                                ranges.parallelism(),
                                range.getStartKeyGroup());
                long[] bytes = new long[range.getNumberOfKeyGroups()];
                int[] depths = null;
                if (handle instanceof KeyGroupsStateHandle) {
                    KeyGroupsStateHandle groups = (KeyGroupsStateHandle) handle;
                    KeyGroupRangeOffsets offsets = groups.getGroupRangeOffsets();
                    long end = groups.getDelegateStateHandle().getStateSize();
                    for (int i = 0; i < bytes.length; i++) {
                        int kg = range.getStartKeyGroup() + i;
                        long next =
                                range.contains(kg + 1) ? offsets.getKeyGroupOffset(kg + 1) : end;
                        bytes[i] = next - offsets.getKeyGroupOffset(kg);
                    }
                } else if (handle instanceof IncrementalRemoteKeyedStateHandle) {
                    Optional<Manifest> manifest =
                            Manifests.read(
                                    store,
                                    ((IncrementalRemoteKeyedStateHandle) handle)
                                            .getMetaDataStateHandle());
                    if (manifest.isEmpty()) {
                        continue; // RocksDB: no key groups in its files' names or sizes
                    }
                    depths = new int[bytes.length];
                    for (int i = 0; i < bytes.length; i++) {
                        List<BlockRef> chain = manifest.get().chain(range.getStartKeyGroup() + i);
                        depths[i] = chain.size();
                        bytes[i] = chain.stream().mapToLong(BlockRef::length).sum();
                    }
                } else {
                    continue;
                }
                result.add(
                        new JobReport.KeyGroups(
                                operator.getKey(),
                                subtask,
                                range.getStartKeyGroup(),
                                handle.getCheckpointedSize(),
                                handle.getStateSize() - handle.getCheckpointedSize(),
                                bytes,
                                depths));
            }
        }
        result.sort(
                Comparator.comparing(JobReport.KeyGroups::operator)
                        .thenComparingInt(JobReport.KeyGroups::subtask));
        return result;
    }

    private JobReport.Space space(ObjectLocation job, Duration grace, Instant now)
            throws IOException {
        List<ObjectInfo> stored = inspector.listAll(job.child(""));
        Set<ObjectLocation> live = inspector.liveObjects(job.parent());
        Instant cutoff = now.minus(grace);
        long storedBytes = 0;
        long liveBytes = 0;
        long orphanedBytes = 0;
        long youngBytes = 0;
        int orphaned = 0;
        for (ObjectInfo object : stored) {
            storedBytes += object.size();
            if (live.contains(object.location())) {
                liveBytes += object.size();
            } else if (object.lastModified().isBefore(cutoff)) {
                orphanedBytes += object.size();
                orphaned++;
            } else {
                youngBytes += object.size();
            }
        }
        return new JobReport.Space(
                stored.size(), storedBytes, liveBytes, orphaned, orphanedBytes, youngBytes);
    }
}
