package io.flinkrecovery.backend.restore;

import org.apache.flink.runtime.state.heap.DeferredStateMap;
import org.apache.flink.runtime.state.heap.StateTable;
import org.apache.flink.util.FlinkRuntimeException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The keyed state that a restore fetched and checked but did not deserialize: per key group, the
 * rest of its blocks after their timers ({@link BlockApplier.Rest}), behind a {@link
 * DeferredStateMap} in every keyed state's table. A key group's records go in on its first access,
 * or earlier from a background thread that works through the key groups in order; whichever comes
 * first applies them, under one lock per subtask (the appliers' serializers are not thread-safe),
 * so the task waits at most for the key group the background thread is applying.
 *
 * <p>If a key group's records cannot be applied, every later access to it throws, and the
 * background thread reports the failure so that the task fails and Flink restores again.
 */
public final class DeferredKeyedState {

    private static final Logger LOG = LoggerFactory.getLogger(DeferredKeyedState.class);

    /** Fair: a task thread waiting for a key group goes before the background's next one. */
    private final ReentrantLock lock = new ReentrantLock(true);

    /** One per manifest of the restore, with serializers of their own; used under the lock. */
    private final List<BlockApplier<?>> appliers;

    private final List<KeyGroup> keyGroups = new ArrayList<>();
    private final long restoredAt = System.nanoTime();
    private volatile boolean cancelled;

    // Under the lock.
    private int appliedInBackground;
    private int appliedOnAccess;
    private long records;

    DeferredKeyedState(List<BlockApplier<?>> appliers) {
        this.appliers = appliers;
    }

    /**
     * Defers the rests of {@code keyGroup}'s blocks (in chain order; each with the index of the
     * manifest that references it) and installs a deferred map for it in each of {@code tables}.
     * Called by the restore's threads, before the task runs.
     */
    synchronized void defer(
            int keyGroup, List<IndexedRest> rests, Collection<StateTable<?, ?, ?>> tables) {
        KeyGroup pending = new KeyGroup(keyGroup, rests);
        for (StateTable<?, ?, ?> table : tables) {
            pending.maps.add(DeferredStateMap.install(table, keyGroup, pending));
        }
        keyGroups.add(pending);
    }

    boolean isEmpty() {
        return keyGroups.isEmpty();
    }

    int keyGroups() {
        return keyGroups.size();
    }

    /**
     * Starts the thread that applies every deferred key group not yet accessed; {@code onFailure}
     * is told if one cannot be applied (the thread stops then).
     */
    public void applyInBackground(String owner, Consumer<Throwable> onFailure) {
        keyGroups.sort((a, b) -> Integer.compare(a.keyGroup, b.keyGroup));
        Thread thread =
                new Thread(() -> applyAll(onFailure), "flink-recovery-deferred-restore " + owner);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Stops the background thread after the key group it is applying; for the backend's dispose.
     */
    public void cancel() {
        cancelled = true;
    }

    private void applyAll(Consumer<Throwable> onFailure) {
        for (KeyGroup keyGroup : keyGroups) {
            if (cancelled) {
                return;
            }
            lock.lock();
            try {
                if (apply(keyGroup)) {
                    appliedInBackground++;
                }
            } catch (RuntimeException e) {
                if (!cancelled) {
                    onFailure.accept(e);
                }
                return;
            } finally {
                lock.unlock();
            }
        }
        lock.lock();
        try {
            LOG.info(
                    "Applied the deferred keyed state of {} key groups ({} records) by {} ms after"
                            + " the restore: {} in the background, {} on first access",
                    keyGroups.size(),
                    records,
                    (System.nanoTime() - restoredAt) / 1_000_000,
                    appliedInBackground,
                    appliedOnAccess);
        } finally {
            lock.unlock();
        }
    }

    /** Applies the key group's records unless they are in; under the lock. */
    private boolean apply(KeyGroup keyGroup) {
        if (keyGroup.applied) {
            return false;
        }
        if (keyGroup.failure != null) {
            throw keyGroup.failed();
        }
        keyGroup.applying = Thread.currentThread();
        try {
            for (IndexedRest rest : keyGroup.rests) {
                appliers.get(rest.manifest).applyRest(rest.rest);
                records += rest.rest.block.entries();
            }
        } catch (Exception e) {
            keyGroup.failure = e;
            throw keyGroup.failed();
        } finally {
            keyGroup.applying = null;
        }
        keyGroup.rests = null;
        keyGroup.applied = true;
        for (DeferredStateMap<?, ?, ?> map : keyGroup.maps) {
            map.applied();
        }
        return true;
    }

    /** A block's rest and the manifest whose serializers decode it. */
    static final class IndexedRest {
        final int manifest;
        final BlockApplier.Rest rest;

        IndexedRest(int manifest, BlockApplier.Rest rest) {
            this.manifest = manifest;
            this.rest = rest;
        }
    }

    /** One key group's deferred records and the maps that wait for them. */
    private final class KeyGroup implements DeferredStateMap.Pending {
        final int keyGroup;
        final List<DeferredStateMap<?, ?, ?>> maps = new ArrayList<>();
        List<IndexedRest> rests;
        boolean applied;
        Exception failure;

        /**
         * The thread applying the records: it writes them through the deferred maps, which must let
         * it. Only that thread can read itself here (a thread sees its own writes).
         */
        Thread applying;

        KeyGroup(int keyGroup, List<IndexedRest> rests) {
            this.keyGroup = keyGroup;
            this.rests = rests;
        }

        @Override
        public void awaitApplied() {
            if (applying == Thread.currentThread()) {
                return;
            }
            lock.lock();
            try {
                if (apply(this)) {
                    appliedOnAccess++;
                }
            } finally {
                lock.unlock();
            }
        }

        FlinkRuntimeException failed() {
            return new FlinkRuntimeException(
                    "Cannot apply the restored state of key group "
                            + keyGroup
                            + " (deferred until its first access): "
                            + failure.getMessage()
                            + ". The checkpoint's blocks passed their CRC32C check, so their"
                            + " serializers could not read them; `flink-recovery-inspect validate"
                            + " --deep` names the block",
                    failure);
        }
    }
}
