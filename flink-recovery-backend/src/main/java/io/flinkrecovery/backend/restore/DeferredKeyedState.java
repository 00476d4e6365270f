package io.flinkrecovery.backend.restore;

import org.apache.flink.core.fs.CloseableRegistry;
import org.apache.flink.runtime.state.heap.DeferredStateMap;
import org.apache.flink.runtime.state.heap.StateTable;
import org.apache.flink.util.FlinkRuntimeException;
import org.apache.flink.util.IOUtils;

import io.flinkrecovery.backend.snapshot.BlockRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.annotation.Nullable;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The keyed state that a restore did not deserialize before the task runs: per key group, its
 * blocks ({@link DeferredBlock}: fetched and checked with their timers applied, or still being
 * fetched when they hold no timers), behind a {@link DeferredStateMap} in every keyed state's
 * table. A key group's records go in on its first access, or earlier from a background thread that
 * starts with the first access to any of them (the task runs by then) and works through the key
 * groups in order; whichever comes first applies them, under one lock per subtask (the appliers'
 * serializers are not thread-safe), so the task waits at most for the key group the background
 * thread is applying. Fetches are awaited outside the lock.
 *
 * <p>If a key group's blocks cannot be fetched, checked or applied, every later access to it
 * throws, and the background thread reports the failure so that the task fails and Flink restores
 * again.
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

    /** Applies every key group not yet accessed; started by the first access. */
    @Nullable private volatile Thread background;

    private final AtomicBoolean backgroundStarted = new AtomicBoolean();

    /** The restore's reads of deferred key groups, their threads and their streams. */
    @Nullable private ExecutorService fetches;

    @Nullable private CloseableRegistry fetchStreams;

    private List<FutureTask<byte[]>> pendingFetches = List.of();

    // Under the lock.
    private int appliedInBackground;
    private int appliedOnAccess;
    private long records;

    DeferredKeyedState(List<BlockApplier<?>> appliers) {
        this.appliers = appliers;
    }

    /**
     * Defers {@code keyGroup}'s blocks (in chain order) and installs a deferred map for it in each
     * of {@code tables}. Called by the restore's threads, before the task runs.
     */
    synchronized void defer(
            int keyGroup, List<DeferredBlock> blocks, Collection<StateTable<?, ?, ?>> tables) {
        KeyGroup pending = new KeyGroup(keyGroup, blocks);
        for (StateTable<?, ?, ?> table : tables) {
            pending.maps.add(DeferredStateMap.install(table, keyGroup, pending));
        }
        keyGroups.add(pending);
    }

    boolean isEmpty() {
        return keyGroups.isEmpty();
    }

    /** How many key groups wait. */
    public int keyGroups() {
        return keyGroups.size();
    }

    /**
     * Takes over the reads of deferred blocks, {@code pending}, to run on {@code fetches} from the
     * first access to deferred state on; their threads are shut down and their streams closed once
     * every key group is applied, or on {@link #cancel()}.
     */
    synchronized void ownFetches(
            ExecutorService fetches,
            CloseableRegistry fetchStreams,
            List<FutureTask<byte[]>> pending) {
        this.fetches = fetches;
        this.fetchStreams = fetchStreams;
        this.pendingFetches = new ArrayList<>(pending);
    }

    /**
     * Prepares the thread that applies every deferred key group not yet accessed, and starts it
     * with the first access to deferred state: by then the task runs, and until then the thread
     * would only take the processor from the task's own start. {@code onFailure} is told if a key
     * group cannot be applied (the thread stops then), {@code onApplied} once all are, with the
     * milliseconds since the restore returned.
     */
    public void applyInBackground(
            String owner, Consumer<Throwable> onFailure, LongConsumer onApplied) {
        keyGroups.sort((a, b) -> Integer.compare(a.keyGroup, b.keyGroup));
        Thread thread =
                new Thread(
                        () -> applyAll(onFailure, onApplied),
                        "flink-recovery-deferred-restore " + owner);
        thread.setDaemon(true);
        background = thread;
    }

    /** Starts the reads of deferred blocks and the background thread, once. */
    private void startBackground() {
        if (!backgroundStarted.compareAndSet(false, true)) {
            return;
        }
        synchronized (this) {
            if (!cancelled && fetches != null) {
                pendingFetches.forEach(fetches::execute);
                fetches.shutdown();
            }
        }
        Thread thread = background;
        if (thread != null) {
            thread.start();
        }
    }

    /**
     * Stops the background thread after the key group it is applying; for the backend's dispose.
     */
    public void cancel() {
        cancelled = true;
        releaseFetches(true);
    }

    private synchronized void releaseFetches(boolean now) {
        if (now) {
            // Reads never started would otherwise leave their waiters waiting.
            pendingFetches.forEach(fetch -> fetch.cancel(true));
        }
        if (fetches != null) {
            if (now) {
                fetches.shutdownNow();
            } else {
                fetches.shutdown();
            }
        }
        IOUtils.closeQuietly(fetchStreams);
    }

    private void applyAll(Consumer<Throwable> onFailure, LongConsumer onApplied) {
        for (KeyGroup keyGroup : keyGroups) {
            if (cancelled) {
                return;
            }
            keyGroup.awaitFetched();
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
        releaseFetches(false);
        long millis = (System.nanoTime() - restoredAt) / 1_000_000;
        onApplied.accept(millis);
        lock.lock();
        try {
            LOG.info(
                    "Applied the deferred keyed state of {} key groups ({} records) by {} ms after"
                            + " the restore: {} in the background, {} on first access",
                    keyGroups.size(),
                    records,
                    millis,
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
            for (DeferredBlock block : keyGroup.blocks) {
                block.applyWith(appliers.get(block.manifest), keyGroup.keyGroup);
                records += block.block.entries();
            }
        } catch (InterruptedException e) {
            // The task is being cancelled: not a fault of the key group.
            Thread.currentThread().interrupt();
            throw new FlinkRuntimeException(
                    "Interrupted while applying key group " + keyGroup.keyGroup, e);
        } catch (Exception e) {
            keyGroup.failure = e;
            throw keyGroup.failed();
        } finally {
            keyGroup.applying = null;
        }
        keyGroup.blocks = null;
        keyGroup.applied = true;
        for (DeferredStateMap<?, ?, ?> map : keyGroup.maps) {
            map.applied();
        }
        return true;
    }

    /**
     * One deferred block of a key group, with the index of the manifest whose serializers decode
     * it: fetched, checked and with its timers applied ({@link BlockApplier.Rest}), or still being
     * fetched (a block without timers), then checked and applied whole.
     */
    static final class DeferredBlock {
        final int manifest;
        final BlockRef block;
        @Nullable private final BlockApplier.Rest rest;
        @Nullable private final Future<byte[]> fetch;
        private final int offset;

        private DeferredBlock(
                int manifest,
                BlockRef block,
                @Nullable BlockApplier.Rest rest,
                @Nullable Future<byte[]> fetch,
                int offset) {
            this.manifest = manifest;
            this.block = block;
            this.rest = rest;
            this.fetch = fetch;
            this.offset = offset;
        }

        /** The keyed sections of a fetched and checked block whose timers are applied. */
        static DeferredBlock rest(int manifest, BlockApplier.Rest rest) {
            return new DeferredBlock(manifest, rest.block, rest, null, 0);
        }

        /** A block without timers, at {@code offset} of what {@code fetch} reads. */
        static DeferredBlock fetching(
                int manifest, BlockRef block, Future<byte[]> fetch, int offset) {
            return new DeferredBlock(manifest, block, null, fetch, offset);
        }

        /** Waits until the block is fetched, successfully or not: {@link #applyWith} tells. */
        void awaitFetched() {
            if (fetch == null) {
                return;
            }
            try {
                fetch.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | CancellationException e) {
                // Thrown again by applyWith, under the lock, where the key group records it.
            }
        }

        void applyWith(BlockApplier<?> applier, int keyGroup) throws Exception {
            if (rest != null) {
                applier.applyRest(rest);
                return;
            }
            byte[] data;
            try {
                data = fetch.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
            }
            applier.apply(block, keyGroup, data, offset);
        }
    }

    /** One key group's deferred records and the maps that wait for them. */
    private final class KeyGroup implements DeferredStateMap.Pending {
        final int keyGroup;
        final List<DeferredStateMap<?, ?, ?>> maps = new ArrayList<>();
        volatile List<DeferredBlock> blocks;
        boolean applied;
        Exception failure;

        /**
         * The thread applying the records: it writes them through the deferred maps, which must let
         * it. Only that thread can read itself here (a thread sees its own writes).
         */
        Thread applying;

        KeyGroup(int keyGroup, List<DeferredBlock> blocks) {
            this.keyGroup = keyGroup;
            this.blocks = blocks;
        }

        /** Waits, outside the lock, until the key group's blocks are fetched. */
        void awaitFetched() {
            List<DeferredBlock> pending = blocks;
            if (pending != null) {
                pending.forEach(DeferredBlock::awaitFetched);
            }
        }

        @Override
        public void awaitApplied() {
            if (applying == Thread.currentThread()) {
                return;
            }
            startBackground();
            awaitFetched();
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
                            + " (`flink-recovery-inspect validate --deep` checks every block)",
                    failure);
        }
    }
}
