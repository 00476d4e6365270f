package io.flinkrecovery.backend.chain;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.checkpoint.CheckpointType;
import org.apache.flink.runtime.checkpoint.SavepointType;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.state.CheckpointStorageLocationReference;
import org.apache.flink.runtime.state.CheckpointStreamFactory;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.SnapshotResult;
import org.apache.flink.runtime.state.memory.MemCheckpointStreamFactory;

import io.flinkrecovery.backend.IncrementalHeapStateBackend;
import io.flinkrecovery.config.BackendOptions;

import java.io.File;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.RunnableFuture;

/**
 * One seeded run of the randomized chain test: random state operations on our backend and
 * HashMapStateBackend side by side; checkpoints, full checkpoints and native savepoints whose
 * asynchronous phases run late, interleaved with later checkpoints; a {@link SimulatedJobManager}
 * that registers, completes, aborts and subsumes them with the run's retention; notifications
 * delivered at once, late, out of order or never; task failovers with rescaling; and new jobs
 * started from any retained checkpoint or savepoint in CLAIM or NO_CLAIM mode. Each deployment
 * turns {@code execution.checkpointing.snapshot-compression} on or off at random, as a restart with
 * a changed configuration may, so chains mix compressed and uncompressed blocks. Every restore is
 * compared with HashMap's restore of the same checkpoint.
 */
final class ChainScenario {

    /** Everything a seed decides before the run. */
    static final class Settings {
        final int retained;
        final int parallelism;
        final int maxConcurrent;
        final int maxDeltas;
        final int rewriteInterval;
        final double amplification;
        final int steps;

        Settings(Random random, int steps) {
            this.retained = new int[] {1, 1, 2, 3, 1000}[random.nextInt(5)];
            this.parallelism = 1 + random.nextInt(3);
            this.maxConcurrent = 1 + random.nextInt(3);
            this.maxDeltas = new int[] {1, 2, 3, 100}[random.nextInt(4)];
            this.rewriteInterval = new int[] {1, 2, 4}[random.nextInt(3)];
            this.amplification = random.nextBoolean() ? 1.5 : 2.0;
            this.steps = steps;
        }

        @Override
        public String toString() {
            return String.format(
                    "retained %d, parallelism %d, concurrent %d, max-deltas %d,"
                            + " rewrite-interval %d, amplification %.1f, %d steps",
                    retained,
                    parallelism,
                    maxConcurrent,
                    maxDeltas,
                    rewriteInterval,
                    amplification,
                    steps);
        }
    }

    private static final int LOG_LINES = 60;

    private final long seed;
    private final Random random;

    /**
     * Whether each deployment compresses: its own sequence, so that the seeds from before
     * compression still run the same operations.
     */
    private final Random compression;

    private final Settings settings;
    private final File dir;
    private final IncrementalHeapStateBackend ourBackend;
    private final RandomStateOperations operations;
    private final MockEnvironment env = MockEnvironment.builder().build();
    private final Deque<String> log = new ArrayDeque<>();
    private final List<SimulatedJobManager.Snapshot> savepoints = new ArrayList<>();
    private final List<AsyncPhase> asyncPhases = new ArrayList<>();
    private final List<Notification> notifications = new ArrayList<>();
    private long now = 1;
    private int step;
    private int generation;
    private SimulatedJobManager jobManager;
    private List<TwinBackends> subtasks = new ArrayList<>();

    /** Counters of what the run did, for the test's summary. */
    final Stats stats = new Stats();

    ChainScenario(long seed, File dir, int steps) {
        this.seed = seed;
        this.random = new Random(seed);
        this.compression = new Random(seed * 31 + 17);
        this.settings = new Settings(random, steps);
        this.dir = dir;
        this.operations = new RandomStateOperations(random);
        Configuration config = new Configuration();
        config.set(BackendOptions.COMPACTION_MAX_DELTAS, settings.maxDeltas);
        config.set(BackendOptions.COMPACTION_REWRITE_INTERVAL, settings.rewriteInterval);
        config.set(BackendOptions.COMPACTION_MAX_SPACE_AMPLIFICATION, settings.amplification);
        this.ourBackend =
                new IncrementalHeapStateBackend().configure(config, getClass().getClassLoader());
    }

    /** Runs the seed; fails with the seed, its settings and the last events on any error. */
    void run() {
        try {
            replaceJobManager(
                    SimulatedJobManager.fresh(
                            new File(dir, "job-0"), settings.retained, settings.parallelism));
            deploy(null, settings.parallelism);
            for (step = 0; step < settings.steps; step++) {
                deliverDueNotifications();
                randomStep();
            }
            while (!asyncPhases.isEmpty()) {
                runAsyncPhase(asyncPhases.get(0));
            }
            compare("end of run");
            restore(jobManager.failover(jobManager.parallelism()), "final restore");
            replaceJobManager(null);
        } catch (Throwable t) {
            throw new AssertionError(
                    "Seed "
                            + seed
                            + " ("
                            + settings
                            + ") failed at step "
                            + step
                            + ": "
                            + t
                            + "\nreplay: mvn -pl flink-recovery-backend test"
                            + " -Dtest=ChainSafetyRandomizedTest -Dflinkrecovery.chain.seed="
                            + seed
                            + " -Dflinkrecovery.chain.seeds=1\nlast events:\n  "
                            + String.join("\n  ", log),
                    t);
        } finally {
            closeSubtasks();
            try {
                env.close();
            } catch (Exception e) {
                throw new IllegalStateException("Cannot close the mock environment", e);
            }
        }
    }

    private void randomStep() throws Exception {
        int dice = random.nextInt(1000);
        if (dice < 600) {
            int key = random.nextInt(TwinBackends.KEYS);
            TwinBackends owner = ownerOf(key);
            event(operations.applyOne(owner, key));
            now += random.nextInt(3);
        } else if (dice < 640) {
            now += random.nextInt(30);
        } else if (dice < 760) {
            if (jobManager.pendingCount() < settings.maxConcurrent) {
                trigger();
            }
        } else if (dice < 930) {
            if (!asyncPhases.isEmpty()) {
                runAsyncPhase(asyncPhases.get(random.nextInt(asyncPhases.size())));
            }
        } else if (dice < 950) {
            List<Long> pending = jobManager.pendingIds();
            if (!pending.isEmpty()) {
                long id = pending.get(random.nextInt(pending.size()));
                jobManager.abort(id);
                event("JobManager aborts " + id);
                notifyAll(id, false);
                stats.aborted++;
            }
        } else if (dice < 956) {
            failover();
        } else if (dice < 960) {
            newJobFromAnySnapshot();
        } else {
            compare("live");
        }
    }

    private void trigger() throws Exception {
        int dice = random.nextInt(100);
        SimulatedJobManager.Kind requested =
                dice < 80
                        ? SimulatedJobManager.Kind.CHECKPOINT
                        : dice < 88
                                ? SimulatedJobManager.Kind.FULL_CHECKPOINT
                                : SimulatedJobManager.Kind.NATIVE_SAVEPOINT;
        long id = jobManager.trigger(requested);
        SimulatedJobManager.Kind kind = jobManager.kind(id);
        CheckpointOptions options = options(kind);
        CheckpointStreamFactory ours = jobManager.streamFactory(id);
        CheckpointStreamFactory reference = new MemCheckpointStreamFactory(Integer.MAX_VALUE);
        for (int i = 0; i < subtasks.size(); i++) {
            TwinBackends twins = subtasks.get(i);
            asyncPhases.add(
                    new AsyncPhase(
                            id,
                            i,
                            twins.ours.snapshot(id, now, ours, options),
                            twins.reference.snapshot(id, now, reference, options)));
        }
        event("trigger " + kind + " " + id + " (sync phase)");
    }

    private static CheckpointOptions options(SimulatedJobManager.Kind kind) {
        switch (kind) {
            case FULL_CHECKPOINT:
                return new CheckpointOptions(
                        CheckpointType.FULL_CHECKPOINT,
                        CheckpointStorageLocationReference.getDefault());
            case NATIVE_SAVEPOINT:
                return new CheckpointOptions(
                        SavepointType.savepoint(SavepointFormatType.NATIVE),
                        CheckpointStorageLocationReference.getDefault());
            default:
                return CheckpointOptions.forCheckpointWithDefaultLocation();
        }
    }

    private void runAsyncPhase(AsyncPhase phase) throws Exception {
        asyncPhases.remove(phase);
        phase.ours.run();
        phase.reference.run();
        KeyedStateHandle ours = phase.ours.get().getJobManagerOwnedSnapshot();
        KeyedStateHandle reference = phase.reference.get().getJobManagerOwnedSnapshot();
        event("async phase of " + phase.checkpointId + " subtask " + phase.subtask + ", ack");
        List<Long> dropped = new ArrayList<>();
        SimulatedJobManager.Snapshot completed =
                jobManager.acknowledge(phase.checkpointId, phase.subtask, ours, reference, dropped);
        for (long id : dropped) {
            event("JobManager drops older pending " + id);
            notifyAll(id, false);
        }
        if (completed != null) {
            event("JobManager completes " + completed);
            if (completed.savepoint) {
                savepoints.add(completed);
                stats.savepoints++;
            } else {
                stats.completed++;
            }
            notifyAll(completed.id, true);
        }
    }

    /** Queues a notification to every subtask: at once, after some steps, or never. */
    private void notifyAll(long checkpointId, boolean complete) {
        for (int i = 0; i < subtasks.size(); i++) {
            int dice = random.nextInt(100);
            if (dice < 15) {
                stats.lostNotifications++;
                continue;
            }
            int delay = dice < 55 ? 0 : 1 + random.nextInt(40);
            if (delay > 0) {
                stats.lateNotifications++;
            }
            notifications.add(
                    new Notification(generation, i, checkpointId, complete, step + delay));
        }
        deliverDueNotifications();
    }

    private void deliverDueNotifications() {
        for (Iterator<Notification> it = notifications.iterator(); it.hasNext(); ) {
            Notification notification = it.next();
            if (notification.generation != generation) {
                it.remove();
            } else if (notification.dueStep <= step) {
                it.remove();
                TwinBackends twins = subtasks.get(notification.subtask);
                try {
                    if (notification.complete) {
                        twins.ours.notifyCheckpointComplete(notification.checkpointId);
                        twins.reference.notifyCheckpointComplete(notification.checkpointId);
                    } else {
                        twins.ours.notifyCheckpointAborted(notification.checkpointId);
                        twins.reference.notifyCheckpointAborted(notification.checkpointId);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException("Cannot notify " + notification, e);
                }
                event("deliver " + notification);
            }
        }
    }

    private void failover() throws Exception {
        int parallelism = random.nextInt(4) == 0 ? 1 + random.nextInt(3) : subtasks.size();
        SimulatedJobManager.Snapshot latest = jobManager.failover(parallelism);
        event("task failover to parallelism " + parallelism + ", restoring " + latest);
        restore(latest, "failover");
        stats.failovers++;
    }

    private void replaceJobManager(SimulatedJobManager next) {
        if (jobManager != null) {
            stats.rejectedAfterNewerCompleted += jobManager.rejectedAfterNewerCompleted;
        }
        jobManager = next;
    }

    private void newJobFromAnySnapshot() throws Exception {
        List<SimulatedJobManager.Snapshot> candidates = new ArrayList<>(savepoints);
        candidates.addAll(jobManager.retained());
        if (candidates.isEmpty()) {
            return;
        }
        SimulatedJobManager.Snapshot snapshot = candidates.get(random.nextInt(candidates.size()));
        boolean claim = random.nextBoolean();
        int parallelism = 1 + random.nextInt(3);
        for (Long id : jobManager.pendingIds()) {
            jobManager.abort(id);
        }
        if (claim) {
            // The new job owns it now and deletes it when subsumed.
            savepoints.remove(snapshot);
        }
        replaceJobManager(
                SimulatedJobManager.restoredFrom(
                        new File(dir, "job-" + (++stats.jobs)),
                        settings.retained,
                        parallelism,
                        snapshot,
                        claim));
        event(
                "new job from "
                        + snapshot
                        + " in "
                        + (claim ? "CLAIM" : "NO_CLAIM")
                        + " at parallelism "
                        + parallelism);
        restore(SimulatedJobManager.copyForRestore(snapshot), "new job");
    }

    private void restore(SimulatedJobManager.Snapshot snapshot, String why) throws Exception {
        deploy(snapshot, jobManager.parallelism());
        compare(why + " from " + snapshot);
    }

    /** Replaces every subtask by one restored from {@code snapshot} (or empty). */
    private void deploy(SimulatedJobManager.Snapshot snapshot, int parallelism) throws Exception {
        closeSubtasks();
        generation++;
        asyncPhases.clear();
        boolean compress = compression.nextBoolean();
        env.getExecutionConfig().setUseSnapshotCompression(compress);
        event("deploying generation " + generation + ", snapshot compression " + compress);
        subtasks = new ArrayList<>();
        for (int i = 0; i < parallelism; i++) {
            KeyGroupRange range =
                    KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(
                            TwinBackends.MAX_PARALLELISM, parallelism, i);
            subtasks.add(
                    TwinBackends.restore(
                            ourBackend,
                            range,
                            snapshot == null ? List.of() : intersecting(snapshot.ours, range),
                            snapshot == null ? List.of() : intersecting(snapshot.reference, range),
                            () -> now,
                            env));
        }
    }

    private static List<KeyedStateHandle> intersecting(
            List<KeyedStateHandle> handles, KeyGroupRange range) {
        List<KeyedStateHandle> result = new ArrayList<>();
        for (KeyedStateHandle handle : handles) {
            KeyedStateHandle intersection = handle.getIntersection(range);
            if (intersection != null) {
                result.add(intersection);
            }
        }
        return result;
    }

    private void compare(String when) throws Exception {
        for (TwinBackends twins : subtasks) {
            twins.assertSameState(when);
        }
        stats.comparisons++;
    }

    private TwinBackends ownerOf(int key) {
        for (TwinBackends twins : subtasks) {
            if (twins.owns(key)) {
                return twins;
            }
        }
        throw new IllegalStateException("No subtask owns key " + key);
    }

    private void closeSubtasks() {
        for (TwinBackends twins : subtasks) {
            try {
                twins.close();
            } catch (Exception e) {
                throw new IllegalStateException("Cannot close " + twins, e);
            }
        }
        subtasks = new ArrayList<>();
    }

    private void event(String what) {
        log.addLast(step + ": " + what);
        while (log.size() > LOG_LINES) {
            log.removeFirst();
        }
    }

    /** A snapshot's asynchronous phase on one subtask, run whenever the dice say. */
    private static final class AsyncPhase {
        final long checkpointId;
        final int subtask;
        final RunnableFuture<SnapshotResult<KeyedStateHandle>> ours;
        final RunnableFuture<SnapshotResult<KeyedStateHandle>> reference;

        AsyncPhase(
                long checkpointId,
                int subtask,
                RunnableFuture<SnapshotResult<KeyedStateHandle>> ours,
                RunnableFuture<SnapshotResult<KeyedStateHandle>> reference) {
            this.checkpointId = checkpointId;
            this.subtask = subtask;
            this.ours = ours;
            this.reference = reference;
        }
    }

    /** A completion or abort notification on its way to one subtask. */
    private static final class Notification {
        final int generation;
        final int subtask;
        final long checkpointId;
        final boolean complete;
        final int dueStep;

        Notification(
                int generation, int subtask, long checkpointId, boolean complete, int dueStep) {
            this.generation = generation;
            this.subtask = subtask;
            this.checkpointId = checkpointId;
            this.complete = complete;
            this.dueStep = dueStep;
        }

        @Override
        public String toString() {
            return (complete ? "complete " : "abort ") + checkpointId + " to subtask " + subtask;
        }
    }

    /** What the runs did, summed over seeds. */
    static final class Stats {
        int completed;
        int savepoints;
        int aborted;
        int failovers;
        int jobs;
        int lateNotifications;
        int lostNotifications;
        int comparisons;
        int rejectedAfterNewerCompleted;

        void add(Stats other) {
            rejectedAfterNewerCompleted += other.rejectedAfterNewerCompleted;
            completed += other.completed;
            savepoints += other.savepoints;
            aborted += other.aborted;
            failovers += other.failovers;
            jobs += other.jobs;
            lateNotifications += other.lateNotifications;
            lostNotifications += other.lostNotifications;
            comparisons += other.comparisons;
        }

        @Override
        public String toString() {
            return String.format(
                    "%d checkpoints completed, %d native savepoints, %d aborted, %d task"
                            + " failovers, %d new jobs, %d late and %d lost notifications, %d"
                            + " state comparisons; %d late acknowledgements rejected after a newer"
                            + " checkpoint completed",
                    completed,
                    savepoints,
                    aborted,
                    failovers,
                    jobs,
                    lateNotifications,
                    lostNotifications,
                    comparisons,
                    rejectedAfterNewerCompleted);
        }
    }
}
