package io.flinkrecovery.backend.restore;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.fs.CloseableRegistry;
import org.apache.flink.runtime.state.IncrementalKeyedStateHandle;
import org.apache.flink.runtime.state.IncrementalKeyedStateHandle.HandleAndLocalPath;
import org.apache.flink.runtime.state.IncrementalLocalKeyedStateHandle;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupedInternalPriorityQueue;
import org.apache.flink.runtime.state.RegisteredKeyValueStateBackendMetaInfo;
import org.apache.flink.runtime.state.RegisteredPriorityQueueStateBackendMetaInfo;
import org.apache.flink.runtime.state.StreamStateHandle;
import org.apache.flink.runtime.state.heap.StateTable;
import org.apache.flink.runtime.state.metainfo.StateMetaInfoSnapshot;
import org.apache.flink.util.IOUtils;
import org.apache.flink.util.concurrent.ExecutorThreadFactory;

import io.flinkrecovery.backend.restore.RangedReads.Located;
import io.flinkrecovery.backend.restore.RangedReads.Read;
import io.flinkrecovery.backend.snapshot.BlockRef;
import io.flinkrecovery.backend.snapshot.LocalCopyFiles;
import io.flinkrecovery.backend.snapshot.Manifest;
import io.flinkrecovery.backend.snapshot.RestoredSegments;
import io.flinkrecovery.backend.snapshot.SnapshotLayout;
import io.flinkrecovery.backend.snapshot.TrackedStates;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.annotation.Nullable;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Restores the key groups of one subtask from our snapshots. For every key group of the new range
 * it takes the chain from the handle that covers it, fetches the blocks with ranged reads in
 * parallel (adjacent blocks of one segment in one read), verifies their CRC32C, and applies them in
 * order into the heap. A rescaled subtask reads only its own key groups. A task-local copy ({@link
 * IncrementalLocalKeyedStateHandle}) is read from its local files, verified the same way.
 */
public final class IncrementalRestoreOperation<K> {

    private static final Logger LOG = LoggerFactory.getLogger(IncrementalRestoreOperation.class);

    private final List<IncrementalKeyedStateHandle> handles;
    private final List<Manifest> manifests;
    private final KeyGroupRange keyGroupRange;
    private final TypeSerializer<K> keySerializer;
    private final HeapStateRegistrar<K> registrar;
    private final RangeReader reader;
    private final int threads;
    private final CloseableRegistry cancelStreamRegistry;
    @Nullable private final RestoredSegments downloads;
    private final boolean deferKeyedState;

    /**
     * Whether blocks without timers may be fetched after the task starts: from the checkpoint
     * storage only. A task-local copy is read before, so that a corrupt one fails this restore and
     * Flink falls back to the checkpoint storage; and so are downloads kept for a local copy.
     */
    private final boolean fetchLazily;

    /**
     * Reads that only deferred key groups need: started with the first access to deferred state, so
     * that until then they take nothing from the task's own start.
     */
    private final List<FutureTask<byte[]>> fetchesAfterStart = new ArrayList<>();

    /** The bytes of the ranged reads the restore planned: what it reads in all. */
    private long plannedReadBytes;

    /** Every keyed state's table: a deferred key group waits in each. */
    private final Set<StateTable<?, ?, ?>> tables =
            Collections.newSetFromMap(new IdentityHashMap<>());

    @Nullable private DeferredKeyedState deferred;

    /**
     * {@code downloads}, if not null, keeps every range read for a later local copy. With {@code
     * deferKeyedState}, key groups whose blocks have their timers first are only fetched, checked
     * and their timers applied, key groups without timers not even fetched; their keyed state waits
     * in a {@link DeferredKeyedState}.
     */
    public IncrementalRestoreOperation(
            List<IncrementalKeyedStateHandle> handles,
            List<Manifest> manifests,
            KeyGroupRange keyGroupRange,
            TypeSerializer<K> keySerializer,
            HeapStateRegistrar<K> registrar,
            RangeReader reader,
            int threads,
            CloseableRegistry cancelStreamRegistry,
            @Nullable RestoredSegments downloads,
            boolean deferKeyedState) {
        this.handles = handles;
        this.manifests = manifests;
        this.keyGroupRange = keyGroupRange;
        this.keySerializer = keySerializer;
        this.registrar = registrar;
        this.reader = reader;
        this.threads = threads;
        this.cancelStreamRegistry = cancelStreamRegistry;
        this.downloads = downloads;
        this.deferKeyedState = deferKeyedState;
        this.fetchLazily =
                deferKeyedState
                        && downloads == null
                        && handles.stream()
                                .noneMatch(h -> h instanceof IncrementalLocalKeyedStateHandle);
    }

    /**
     * Restores the state and returns the layout it came from, which later checkpoints may
     * reference: its segments are registered at the JobManager as part of the restored checkpoint.
     */
    public SnapshotLayout restore() throws Exception {
        long start = System.nanoTime();
        List<BlockApplier<K>> appliers = new ArrayList<>();
        Map<String, byte[]> fingerprints = new HashMap<>();
        for (Manifest manifest : manifests) {
            appliers.add(registerStates(manifest, fingerprints));
        }
        if (deferKeyedState) {
            List<BlockApplier<?>> own = new ArrayList<>();
            appliers.forEach(applier -> own.add(applier.duplicate()));
            deferred = new DeferredKeyedState(own);
        }

        int numberOfKeyGroups = keyGroupRange.getNumberOfKeyGroups();
        int[] source = new int[numberOfKeyGroups];
        List<List<BlockRef>> chains = new ArrayList<>(numberOfKeyGroups);
        Map<String, StreamStateHandle> segments = new LinkedHashMap<>();
        Map<String, StreamStateHandle> segmentsToRead = new HashMap<>();
        Map<String, List<Located>> blocksBySegment = new LinkedHashMap<>();
        long checkpointId = -1;
        for (IncrementalKeyedStateHandle handle : handles) {
            checkpointId = Math.max(checkpointId, handle.getCheckpointId());
        }
        for (int i = 0; i < numberOfKeyGroups; i++) {
            int keyGroup = keyGroupRange.getKeyGroupId(i);
            source[i] = -1;
            for (int h = 0; h < manifests.size() && source[i] < 0; h++) {
                if (manifests.get(h).keyGroupRange().contains(keyGroup)) {
                    source[i] = h;
                }
            }
            List<BlockRef> chain =
                    source[i] < 0 ? List.of() : manifests.get(source[i]).chain(keyGroup);
            chains.add(chain);
            for (int position = 0; position < chain.size(); position++) {
                BlockRef block = chain.get(position);
                if (!segments.containsKey(block.segment())) {
                    IncrementalKeyedStateHandle handle = handles.get(source[i]);
                    segments.put(block.segment(), segmentOf(handle, block.segment()));
                    segmentsToRead.put(block.segment(), toRead(handle, block.segment()));
                }
                blocksBySegment
                        .computeIfAbsent(block.segment(), s -> new ArrayList<>())
                        .add(new Located(block, i));
            }
        }

        Deferral[] deferrals = new Deferral[numberOfKeyGroups];
        for (int i = 0; i < numberOfKeyGroups; i++) {
            deferrals[i] =
                    source[i] < 0 || deferred == null
                            ? Deferral.NONE
                            : Deferral.of(
                                    chains.get(i),
                                    appliers.get(source[i]).hasQueues(),
                                    fetchLazily);
        }
        List<Read> reads =
                RangedReads.plan(
                        blocksBySegment,
                        segmentsToRead,
                        index -> deferrals[index] != Deferral.FETCH_LATER);
        plannedReadBytes = reads.stream().mapToLong(r -> r.length).sum();
        Map<BlockRef, Read> readOf = new HashMap<>();
        for (Read read : reads) {
            for (Located located : read.blocks) {
                readOf.put(located.block, read);
            }
        }
        long applyStart = System.nanoTime();
        RestoreTimes times = fetchAndApply(reads, readOf, chains, source, deferrals, appliers);
        long applyNanos = System.nanoTime() - applyStart;
        long entries = 0;
        long compressed = 0;
        for (List<BlockRef> chain : chains) {
            for (BlockRef block : chain) {
                entries += block.entries();
                compressed += block.isCompressed() ? 1 : 0;
            }
        }
        LOG.info(
                "Restored key groups {} from {} {} in {} ms ({} ms fetching and applying):"
                        + " {} ranged reads of {} bytes ({} of them after the task starts; {} ms of"
                        + " reading before, summed over threads),"
                        + " {} records; summed over {} applying threads: {} ms checking"
                        + " CRC32C, {} ms decompressing {} compressed blocks, {} ms deserializing,"
                        + " {} ms writing into the heap's maps; keyed state of {} key groups"
                        + " deferred",
                keyGroupRange.prettyPrintInterval(),
                handles.size(),
                handles.stream().anyMatch(h -> h instanceof IncrementalLocalKeyedStateHandle)
                        ? "task-local copies"
                        : "handles",
                (System.nanoTime() - start) / 1_000_000,
                applyNanos / 1_000_000,
                reads.size(),
                plannedReadBytes,
                reads.stream().filter(r -> !r.neededBeforeStart).count(),
                reads.stream().filter(r -> r.neededBeforeStart).mapToLong(r -> r.readNanos).sum()
                        / 1_000_000,
                entries,
                times.threads,
                times.verifyNanos / 1_000_000,
                times.decompressNanos / 1_000_000,
                compressed,
                times.decodeNanos / 1_000_000,
                times.putNanos / 1_000_000,
                deferred == null ? 0 : deferred.keyGroups());
        return new SnapshotLayout(checkpointId, keyGroupRange, chains, segments, fingerprints);
    }

    /** The bytes of all ranged reads of the restore, including those after the task starts. */
    public long plannedReadBytes() {
        return plannedReadBytes;
    }

    /** The keyed state that {@link #restore()} left for later, or null if it applied everything. */
    @Nullable
    public DeferredKeyedState deferred() {
        return deferred == null || deferred.isEmpty() ? null : deferred;
    }

    private BlockApplier<K> registerStates(Manifest manifest, Map<String, byte[]> fingerprints)
            throws Exception {
        Map<String, BlockApplier.KvTarget> kvTargets = new HashMap<>();
        Map<String, BlockApplier.PqTarget> pqTargets = new HashMap<>();
        for (StateMetaInfoSnapshot snapshot : manifest.stateMetaInfos()) {
            String id;
            switch (snapshot.getBackendStateType()) {
                case KEY_VALUE:
                    StateTable<K, Object, Object> table = registrar.registerKv(snapshot);
                    tables.add(table);
                    RegisteredKeyValueStateBackendMetaInfo<?, ?> kvMeta =
                            new RegisteredKeyValueStateBackendMetaInfo<>(snapshot);
                    kvTargets.put(
                            snapshot.getName(),
                            new BlockApplier.KvTarget(
                                    snapshot.getName(),
                                    table,
                                    kvMeta.getNamespaceSerializer(),
                                    kvMeta.getStateSerializer()));
                    id = TrackedStates.kvId(snapshot.getName());
                    break;
                case PRIORITY_QUEUE:
                    KeyGroupedInternalPriorityQueue<Object> queue = registrar.registerPq(snapshot);
                    RegisteredPriorityQueueStateBackendMetaInfo<?> pqMeta =
                            new RegisteredPriorityQueueStateBackendMetaInfo<>(snapshot);
                    pqTargets.put(
                            snapshot.getName(),
                            new BlockApplier.PqTarget(queue, pqMeta.getElementSerializer()));
                    id = TrackedStates.pqId(snapshot.getName());
                    break;
                default:
                    throw new IOException(
                            "Cannot restore state "
                                    + snapshot.getName()
                                    + " of type "
                                    + snapshot.getBackendStateType());
            }
            byte[] fingerprint = TrackedStates.fingerprint(snapshot);
            byte[] other = fingerprints.putIfAbsent(id, fingerprint);
            if (other != null && !Arrays.equals(other, fingerprint)) {
                // Subtasks wrote this state with different serializers: no chain can be kept.
                fingerprints.put(id, new byte[0]);
            }
        }
        return new BlockApplier<>(keySerializer, kvTargets, pqTargets);
    }

    private static StreamStateHandle segmentOf(IncrementalKeyedStateHandle handle, String name)
            throws IOException {
        for (HandleAndLocalPath shared : handle.getSharedStateHandles()) {
            if (shared.getLocalPath().equals(name)) {
                return shared.getHandle();
            }
        }
        throw new IOException(
                "Cannot restore from "
                        + handle.getMetaDataStateHandle()
                        + ": its manifest references segment "
                        + name
                        + ", which is not in the handle's shared state");
    }

    /**
     * Where to read segment {@code name} from: its local file for a task-local copy (Flink falls
     * back to the checkpoint storage if that fails), else the segment's handle.
     */
    private static StreamStateHandle toRead(IncrementalKeyedStateHandle handle, String name)
            throws IOException {
        if (handle instanceof IncrementalLocalKeyedStateHandle) {
            return LocalCopyFiles.segment((IncrementalLocalKeyedStateHandle) handle, name);
        }
        return segmentOf(handle, name);
    }

    private RestoreTimes fetchAndApply(
            List<Read> reads,
            Map<BlockRef, Read> readOf,
            List<List<BlockRef>> chains,
            int[] source,
            Deferral[] deferrals,
            List<BlockApplier<K>> appliers)
            throws Exception {
        RestoreTimes times = new RestoreTimes();
        if (reads.isEmpty()) {
            return times;
        }
        ExecutorService io =
                Executors.newFixedThreadPool(
                        Math.min(threads, reads.size()),
                        new ExecutorThreadFactory("flink-recovery-restore-read"));
        // The reads' own registry: the task closes its restore registry once the backend is
        // built, while reads for deferred key groups go on.
        CloseableRegistry fetchStreams = new CloseableRegistry();
        cancelStreamRegistry.registerCloseable(fetchStreams);
        boolean handedOver = false;
        try {
            RestoreTimes applied =
                    readAndApply(
                            reads, readOf, chains, source, deferrals, appliers, io, fetchStreams);
            if (!fetchesAfterStart.isEmpty()) {
                cancelStreamRegistry.unregisterCloseable(fetchStreams);
                deferred.ownFetches(io, fetchStreams, fetchesAfterStart);
                handedOver = true;
            }
            return applied;
        } finally {
            if (!handedOver) {
                io.shutdownNow();
                if (cancelStreamRegistry.unregisterCloseable(fetchStreams)) {
                    IOUtils.closeQuietly(fetchStreams);
                }
            }
        }
    }

    private RestoreTimes readAndApply(
            List<Read> reads,
            Map<BlockRef, Read> readOf,
            List<List<BlockRef>> chains,
            int[] source,
            Deferral[] deferrals,
            List<BlockApplier<K>> appliers,
            ExecutorService io,
            CloseableRegistry fetchStreams)
            throws Exception {
        RestoreTimes times = new RestoreTimes();
        int applyThreads =
                Math.min(
                        Math.min(threads, Runtime.getRuntime().availableProcessors()),
                        chains.size());
        ExecutorService apply =
                applyThreads > 1
                        ? Executors.newFixedThreadPool(
                                applyThreads,
                                new ExecutorThreadFactory("flink-recovery-restore-apply"))
                        : null;
        try {
            for (Read read : reads) {
                FutureTask<byte[]> fetch = read.fetch(reader, fetchStreams, downloads);
                if (read.neededBeforeStart) {
                    io.execute(fetch);
                } else {
                    fetchesAfterStart.add(fetch);
                }
            }
            AtomicInteger nextKeyGroup = new AtomicInteger();
            if (apply == null) {
                applyKeyGroups(nextKeyGroup, readOf, chains, source, deferrals, appliers);
                appliers.forEach(applier -> times.add(applier.times));
                times.threads = 1;
                return times;
            }
            List<Future<?>> workers = new ArrayList<>();
            List<BlockApplier<K>> all = new ArrayList<>();
            for (int w = 0; w < applyThreads; w++) {
                List<BlockApplier<K>> own = new ArrayList<>();
                for (BlockApplier<K> applier : appliers) {
                    own.add(applier.duplicate());
                }
                all.addAll(own);
                workers.add(
                        apply.submit(
                                () -> {
                                    applyKeyGroups(
                                            nextKeyGroup, readOf, chains, source, deferrals, own);
                                    return null;
                                }));
            }
            for (Future<?> worker : workers) {
                try {
                    await(worker);
                } catch (Exception e) {
                    // Stop the other workers: they take no new key group once the counter is past.
                    nextKeyGroup.set(chains.size());
                    throw e;
                }
            }
            all.forEach(applier -> times.add(applier.times));
            times.threads = applyThreads;
            return times;
        } finally {
            if (apply != null) {
                apply.shutdownNow();
            }
        }
    }

    /**
     * Takes key groups (by index in the range) from {@code nextKeyGroup} until none is left and
     * applies each one's chain in order, or what of it must be applied before the task runs.
     * Several threads may do this at once.
     */
    private void applyKeyGroups(
            AtomicInteger nextKeyGroup,
            Map<BlockRef, Read> readOf,
            List<List<BlockRef>> chains,
            int[] source,
            Deferral[] deferrals,
            List<BlockApplier<K>> appliers)
            throws Exception {
        for (int i = nextKeyGroup.getAndIncrement();
                i < chains.size();
                i = nextKeyGroup.getAndIncrement()) {
            int keyGroup = keyGroupRange.getKeyGroupId(i);
            List<DeferredKeyedState.DeferredBlock> deferredBlocks = new ArrayList<>();
            for (BlockRef block : chains.get(i)) {
                Read read = readOf.get(block);
                int offset = (int) (block.offset() - read.offset);
                if (deferrals[i] == Deferral.FETCH_LATER) {
                    deferredBlocks.add(
                            DeferredKeyedState.DeferredBlock.fetching(
                                    source[i], block, read.data, offset));
                    continue;
                }
                byte[] data = await(read.data);
                BlockApplier<K> applier = appliers.get(source[i]);
                if (deferrals[i] == Deferral.KEYED_STATE) {
                    BlockApplier.Rest rest = applier.applyQueues(block, keyGroup, data, offset);
                    if (rest != null) {
                        deferredBlocks.add(DeferredKeyedState.DeferredBlock.rest(source[i], rest));
                    }
                } else {
                    applier.apply(block, keyGroup, data, offset);
                }
                if (read.unapplied.decrementAndGet() == 0) {
                    read.data = null;
                }
            }
            if (!deferredBlocks.isEmpty()) {
                deferred.defer(keyGroup, deferredBlocks, tables);
            }
        }
    }

    private static <T> T await(Future<T> future) throws Exception {
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception) {
                throw (Exception) cause;
            }
            throw e;
        }
    }
}
