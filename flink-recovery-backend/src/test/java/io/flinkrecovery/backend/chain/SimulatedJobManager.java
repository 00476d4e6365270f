package io.flinkrecovery.backend.chain;

import org.apache.flink.api.common.JobID;
import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.checkpoint.CheckpointProperties;
import org.apache.flink.runtime.checkpoint.CheckpointRetentionPolicy;
import org.apache.flink.runtime.checkpoint.CheckpointsCleaner;
import org.apache.flink.runtime.checkpoint.CompletedCheckpoint;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.StandaloneCompletedCheckpointStore;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.state.CheckpointStorageAccess;
import org.apache.flink.runtime.state.CheckpointStreamFactory;
import org.apache.flink.runtime.state.IncrementalKeyedStateHandle.HandleAndLocalPath;
import org.apache.flink.runtime.state.IncrementalRemoteKeyedStateHandle;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.StreamStateHandle;
import org.apache.flink.runtime.state.filesystem.FileStateHandle;
import org.apache.flink.runtime.state.storage.FileSystemCheckpointStorage;
import org.apache.flink.runtime.state.testutils.TestCompletedCheckpointStorageLocation;
import org.apache.flink.util.InstantiationUtil;
import org.apache.flink.util.concurrent.Executors;

import io.flinkrecovery.compat.ClaimModes;
import io.flinkrecovery.compat.OperatorStates;

import java.io.File;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The JobManager's side of checkpointing for one job, as Flink 2.3's {@code CheckpointCoordinator}
 * does it, on Flink's own {@link StandaloneCompletedCheckpointStore} and {@link
 * org.apache.flink.runtime.state.SharedStateRegistryImpl}: shared state is registered on every
 * acknowledgement (also a late one) except a savepoint's; checkpoints complete in id order and drop
 * older pending ones; completion subsumes as the store does with the configured retention, and the
 * registry deletes what no retained checkpoint uses. Our snapshots go to file-system storage with
 * every stream a file, so a deleted segment is really gone.
 */
final class SimulatedJobManager {

    /** What a checkpoint or savepoint is, for both backends, once every subtask acknowledged. */
    static final class Snapshot {
        final long id;
        final boolean savepoint;
        final List<KeyedStateHandle> ours;
        final List<KeyedStateHandle> reference;

        Snapshot(
                long id,
                boolean savepoint,
                List<KeyedStateHandle> ours,
                List<KeyedStateHandle> reference) {
            this.id = id;
            this.savepoint = savepoint;
            this.ours = ours;
            this.reference = reference;
        }

        @Override
        public String toString() {
            return (savepoint ? "savepoint " : "checkpoint ") + id;
        }
    }

    /** The kinds of snapshot the coordinator triggers. */
    enum Kind {
        CHECKPOINT,
        FULL_CHECKPOINT,
        NATIVE_SAVEPOINT
    }

    private static final OperatorID OPERATOR = new OperatorID();

    private final JobID jobId = new JobID();
    private final CheckpointStorageAccess storage;
    private final StandaloneCompletedCheckpointStore store;
    private final CheckpointsCleaner cleaner = new CheckpointsCleaner();
    private final Map<Long, Kind> kinds = new HashMap<>();
    private final NavigableMap<Long, Pending> pending = new TreeMap<>();
    private final Map<Long, Snapshot> completed = new HashMap<>();
    private int parallelism;
    private long nextId;
    private long latestCompleted = -1;

    /** Late acknowledgements rejected because a newer checkpoint had completed before them. */
    int rejectedAfterNewerCompleted;

    private boolean forceFullSnapshot;

    private SimulatedJobManager(File dir, int retained, int parallelism, long nextId)
            throws Exception {
        this.storage =
                new FileSystemCheckpointStorage(new Path(dir.toURI()), 0, -1)
                        .createCheckpointStorage(jobId);
        storage.initializeBaseLocationsForCheckpoint();
        this.store = ClaimModes.claimingStore(retained, Executors.directExecutor());
        this.parallelism = parallelism;
        this.nextId = nextId;
    }

    /** A new job with no state. */
    static SimulatedJobManager fresh(File dir, int retained, int parallelism) throws Exception {
        return new SimulatedJobManager(dir, retained, parallelism, 1);
    }

    /**
     * A new job started from {@code snapshot} of an earlier job, as {@code restoreSavepoint} does:
     * its shared state is registered in CLAIM mode if {@code claim}, else NO_CLAIM, it enters the
     * store, and checkpoint ids go on after it.
     */
    static SimulatedJobManager restoredFrom(
            File dir, int retained, int parallelism, Snapshot snapshot, boolean claim)
            throws Exception {
        SimulatedJobManager jm =
                new SimulatedJobManager(dir, retained, parallelism, snapshot.id + 1);
        Snapshot copy =
                new Snapshot(
                        snapshot.id,
                        snapshot.savepoint,
                        cloneAll(snapshot.ours),
                        snapshot.reference);
        CompletedCheckpoint checkpoint =
                jm.completedCheckpoint(
                        copy,
                        claim
                                ? checkpointProperties()
                                : CheckpointProperties.forUnclaimedSnapshot());
        ClaimModes.registerRestored(checkpoint, jm.store.getSharedStateRegistry(), claim);
        jm.store.addCheckpointAndSubsumeOldestOne(checkpoint, jm.cleaner, () -> {});
        jm.completed.put(copy.id, copy);
        jm.forceFullSnapshot = !claim;
        return jm;
    }

    private static CheckpointProperties checkpointProperties() {
        return CheckpointProperties.forCheckpoint(CheckpointRetentionPolicy.RETAIN_ON_CANCELLATION);
    }

    int parallelism() {
        return parallelism;
    }

    /** Starts a new checkpoint or savepoint; a forced full snapshot replaces a checkpoint. */
    long trigger(Kind requested) {
        Kind kind =
                requested == Kind.CHECKPOINT && forceFullSnapshot
                        ? Kind.FULL_CHECKPOINT
                        : requested;
        long id = nextId++;
        kinds.put(id, kind);
        pending.put(id, new Pending(kind));
        return id;
    }

    Kind kind(long id) {
        return kinds.get(id);
    }

    int pendingCount() {
        return pending.size();
    }

    List<Long> pendingIds() {
        return new ArrayList<>(pending.keySet());
    }

    CheckpointStreamFactory streamFactory(long id) throws Exception {
        return storage.initializeLocationForCheckpoint(id);
    }

    /**
     * A subtask's acknowledgement. Returns the checkpoint it completed, if it was the last one;
     * every checkpoint this drops (older pending ones) is added to {@code dropped}.
     */
    Snapshot acknowledge(
            long id,
            int subtask,
            KeyedStateHandle ours,
            KeyedStateHandle reference,
            List<Long> dropped)
            throws Exception {
        Kind kind = kinds.get(id);
        Pending checkpoint = pending.get(id);
        if (kind != Kind.NATIVE_SAVEPOINT && ours != null) {
            try {
                ours.registerSharedStates(store.getSharedStateRegistry(), id);
            } catch (IllegalStateException e) {
                if (checkpoint == null && latestCompleted > id) {
                    // A newer checkpoint completed before this one's asynchronous phase ended,
                    // so no snapshot could know what it subsumed. This checkpoint was dropped
                    // then; the coordinator logs the error and drops the message.
                    rejectedAfterNewerCompleted++;
                    return null;
                }
                throw new AssertionError(
                        "The JobManager rejected the shared state of checkpoint "
                                + id
                                + " of subtask "
                                + subtask
                                + ": "
                                + e.getMessage(),
                        e);
            }
        }
        if (checkpoint == null) {
            // A late message: Flink discards what it does not know, after registering it.
            if (ours != null) {
                ours.discardState();
            }
            return null;
        }
        checkpoint.ours.put(subtask, ours);
        checkpoint.reference.put(subtask, reference);
        if (checkpoint.ours.size() < parallelism) {
            return null;
        }
        return complete(id, checkpoint, dropped);
    }

    private Snapshot complete(long id, Pending checkpoint, List<Long> dropped) throws Exception {
        pending.remove(id);
        for (Long older : new ArrayList<>(pending.headMap(id, false).keySet())) {
            if (kinds.get(older) != Kind.NATIVE_SAVEPOINT) {
                abort(older);
                dropped.add(older);
            }
        }
        store.getSharedStateRegistry().checkpointCompleted(id);
        latestCompleted = Math.max(latestCompleted, id);
        Snapshot snapshot =
                new Snapshot(
                        id,
                        checkpoint.kind == Kind.NATIVE_SAVEPOINT,
                        inSubtaskOrder(checkpoint.ours),
                        inSubtaskOrder(checkpoint.reference));
        if (!snapshot.savepoint) {
            store.addCheckpointAndSubsumeOldestOne(
                    completedCheckpoint(snapshot, checkpointProperties()), cleaner, () -> {});
            forceFullSnapshot = false;
            completed.put(id, snapshot);
            completed.keySet().removeIf(retained -> !isRetained(retained));
            assertRetainedCheckpointsExist();
        }
        return snapshot;
    }

    private boolean isRetained(long id) {
        for (CompletedCheckpoint checkpoint : store.getAllCheckpoints()) {
            if (checkpoint.getCheckpointID() == id) {
                return true;
            }
        }
        return false;
    }

    private static List<KeyedStateHandle> inSubtaskOrder(Map<Integer, KeyedStateHandle> acks) {
        List<KeyedStateHandle> handles = new ArrayList<>();
        new TreeMap<>(acks).values().stream().filter(h -> h != null).forEach(handles::add);
        return handles;
    }

    private CompletedCheckpoint completedCheckpoint(
            Snapshot snapshot, CheckpointProperties properties) {
        OperatorState state =
                OperatorStates.named(
                        "twin", OPERATOR, snapshot.ours.size(), TwinBackends.MAX_PARALLELISM);
        for (int i = 0; i < snapshot.ours.size(); i++) {
            state.putState(
                    i,
                    OperatorSubtaskState.builder()
                            .setManagedKeyedState(snapshot.ours.get(i))
                            .build());
        }
        return new CompletedCheckpoint(
                jobId,
                snapshot.id,
                snapshot.id,
                snapshot.id,
                Map.of(OPERATOR, state),
                null,
                properties,
                new TestCompletedCheckpointStorageLocation(),
                null);
    }

    /** The JobManager gives up on a pending checkpoint (it expired, or a task declined). */
    void abort(long id) {
        Pending checkpoint = pending.remove(id);
        if (checkpoint == null) {
            return;
        }
        for (KeyedStateHandle handle : checkpoint.ours.values()) {
            if (handle != null) {
                try {
                    handle.discardState();
                } catch (Exception e) {
                    throw new IllegalStateException("Cannot discard " + handle, e);
                }
            }
        }
    }

    /** A task failed: every pending checkpoint is aborted; restore the newest retained one. */
    Snapshot failover(int newParallelism) {
        for (Long id : new ArrayList<>(pending.keySet())) {
            abort(id);
        }
        parallelism = newParallelism;
        try {
            CompletedCheckpoint latest = store.getLatestCheckpoint();
            if (latest == null) {
                return null;
            }
            if (latest.getProperties().isUnclaimed()) {
                forceFullSnapshot = true;
            }
            return copyForRestore(completed.get(latest.getCheckpointID()));
        } catch (Exception e) {
            throw new IllegalStateException("Cannot read the completed checkpoint store", e);
        }
    }

    /**
     * The retained checkpoints this job owns, newest last: not one it was restored from in NO_CLAIM
     * mode, which belongs to another job.
     */
    List<Snapshot> retained() {
        List<Snapshot> retained = new ArrayList<>();
        for (CompletedCheckpoint checkpoint : store.getAllCheckpoints()) {
            if (!checkpoint.getProperties().isUnclaimed()) {
                retained.add(completed.get(checkpoint.getCheckpointID()));
            }
        }
        return retained;
    }

    /** Handles as the tasks receive them: deserialized copies. */
    static Snapshot copyForRestore(Snapshot snapshot) {
        return new Snapshot(
                snapshot.id, snapshot.savepoint, cloneAll(snapshot.ours), snapshot.reference);
    }

    private static List<KeyedStateHandle> cloneAll(List<KeyedStateHandle> handles) {
        List<KeyedStateHandle> copies = new ArrayList<>();
        for (KeyedStateHandle handle : handles) {
            try {
                copies.add(
                        InstantiationUtil.clone(
                                handle, SimulatedJobManager.class.getClassLoader()));
            } catch (Exception e) {
                throw new IllegalStateException("Cannot copy " + handle, e);
            }
        }
        return copies;
    }

    /** Invariant 1: nothing a retained checkpoint references is gone. */
    void assertRetainedCheckpointsExist() {
        for (CompletedCheckpoint checkpoint : store.getAllCheckpoints()) {
            for (OperatorState operator : checkpoint.getOperatorStates().values()) {
                for (OperatorSubtaskState subtask : operator.getStates()) {
                    for (KeyedStateHandle handle : subtask.getManagedKeyedState()) {
                        IncrementalRemoteKeyedStateHandle incremental =
                                (IncrementalRemoteKeyedStateHandle) handle;
                        assertExists(checkpoint, incremental.getMetaDataStateHandle());
                        for (HandleAndLocalPath shared : incremental.getSharedState()) {
                            assertExists(checkpoint, shared.getHandle());
                        }
                    }
                }
            }
        }
    }

    private static void assertExists(CompletedCheckpoint checkpoint, StreamStateHandle handle) {
        if (handle instanceof FileStateHandle) {
            Path path = ((FileStateHandle) handle).getFilePath();
            if (!new File(path.toUri()).exists()) {
                throw new AssertionError(
                        "Retained checkpoint "
                                + checkpoint.getCheckpointID()
                                + " references "
                                + path
                                + ", which is gone");
            }
        }
    }

    /** One pending checkpoint's acknowledgements, by subtask. */
    private static final class Pending {
        final Kind kind;
        final Map<Integer, KeyedStateHandle> ours = new HashMap<>();
        final Map<Integer, KeyedStateHandle> reference = new HashMap<>();

        Pending(Kind kind) {
            this.kind = kind;
        }
    }
}
