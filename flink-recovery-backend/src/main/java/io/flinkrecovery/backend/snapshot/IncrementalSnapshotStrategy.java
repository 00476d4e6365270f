package io.flinkrecovery.backend.snapshot;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputViewStreamWrapper;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.checkpoint.SnapshotType.SharingFilesStrategy;
import org.apache.flink.runtime.state.CheckpointStateOutputStream;
import org.apache.flink.runtime.state.CheckpointStreamFactory;
import org.apache.flink.runtime.state.CheckpointedStateScope;
import org.apache.flink.runtime.state.IncrementalKeyedStateHandle.HandleAndLocalPath;
import org.apache.flink.runtime.state.IncrementalLocalKeyedStateHandle;
import org.apache.flink.runtime.state.IncrementalRemoteKeyedStateHandle;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.PlaceholderStreamStateHandle;
import org.apache.flink.runtime.state.SnapshotResult;
import org.apache.flink.runtime.state.SnapshotStrategy;
import org.apache.flink.runtime.state.StreamStateHandle;
import org.apache.flink.runtime.state.filemerging.SegmentFileStateHandle;
import org.apache.flink.util.IOUtils;

import io.flinkrecovery.backend.metrics.BackendMetrics;
import io.flinkrecovery.backend.metrics.SnapshotFigures;
import io.flinkrecovery.objectstore.UploadThreadFactory;

import javax.annotation.Nonnull;
import javax.annotation.Nullable;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32C;

/**
 * One snapshot of an incremental heap backend. The synchronous phase is a {@link SnapshotPlanner}'s
 * plan. The asynchronous phase writes one segment (all blocks of this snapshot, each compressed if
 * {@link BlockCompression} says so and that makes it smaller) and one manifest, and returns an
 * {@link IncrementalRemoteKeyedStateHandle} whose shared state is every segment the manifest
 * references. With local backup on, checkpoints also get a task-local copy ({@link
 * LocalSnapshotCopy}).
 *
 * <p>Create one per snapshot: it carries that snapshot's {@link CheckpointOptions}.
 */
final class IncrementalSnapshotStrategy<K>
        implements SnapshotStrategy<KeyedStateHandle, SnapshotPlan<K>> {

    private static final String SEGMENT_PREFIX = "segment-";

    /**
     * Closes segment streams, i.e. uploads their last bytes, while the manifest is written and
     * uploaded: a checkpoint then waits for one upload's latency, not two.
     */
    private static final ExecutorService STREAM_CLOSER =
            Executors.newCachedThreadPool(
                    new UploadThreadFactory("flink-recovery-segment-upload-"));

    private final SnapshotPlanner<K> planner;
    private final SnapshotHistory history;
    private final BlockCompression compression;
    private final UUID backendId;
    private final BackendMetrics metrics;
    private final SharingFilesStrategy sharing;
    @Nullable private final LocalBackup localBackup;

    IncrementalSnapshotStrategy(
            TrackedStates<K> states,
            TypeSerializer<K> keySerializer,
            SnapshotHistory history,
            CompactionPolicy compaction,
            BlockCompression compression,
            UUID backendId,
            BackendMetrics metrics,
            CheckpointOptions checkpointOptions,
            @Nullable LocalBackup localBackup) {
        this.sharing = checkpointOptions.getCheckpointType().getSharingFilesStrategy();
        this.planner = new SnapshotPlanner<>(states, keySerializer, history, compaction, sharing);
        this.history = history;
        this.compression = compression;
        this.backendId = backendId;
        this.metrics = metrics;
        // As Flink's heap backend: savepoints have no local copy.
        this.localBackup = checkpointOptions.getCheckpointType().isSavepoint() ? null : localBackup;
    }

    @Override
    @Nullable
    public SnapshotPlan<K> syncPrepareResources(long checkpointId) {
        return planner.plan(checkpointId);
    }

    // ------------------------------------------------------------------------------------------
    //  Asynchronous phase
    // ------------------------------------------------------------------------------------------

    @Override
    public SnapshotResultSupplier<KeyedStateHandle> asyncSnapshot(
            @Nullable SnapshotPlan<K> plan,
            long checkpointId,
            long timestamp,
            @Nonnull CheckpointStreamFactory streamFactory,
            @Nonnull CheckpointOptions checkpointOptions) {
        if (plan == null) {
            return registry -> SnapshotResult.empty();
        }
        CheckpointedStateScope segmentScope =
                sharing == SharingFilesStrategy.NO_SHARING
                        ? CheckpointedStateScope.EXCLUSIVE
                        : CheckpointedStateScope.SHARED;
        return registry -> {
            String segmentName = SEGMENT_PREFIX + UUID.randomUUID();
            List<List<BlockRef>> chains = new ArrayList<>(plan.actions.length);
            Future<StreamStateHandle> segmentUpload = null;
            StreamStateHandle segment = null;
            StreamStateHandle manifest = null;
            BlockRef[] written = new BlockRef[plan.actions.length];
            LocalSnapshotCopy local = localBackup == null ? null : localBackup.open(checkpointId);
            try {
                if (plan.writesAnything()) {
                    CheckpointStateOutputStream out =
                            streamFactory.createCheckpointStateOutputStream(segmentScope);
                    registry.registerCloseable(out);
                    written =
                            writeSegment(
                                    plan,
                                    segmentName,
                                    compression,
                                    out,
                                    local == null ? null : local.segmentStream(segmentName));
                    // The manifest names blocks, not the segment's handle: upload both at once.
                    segmentUpload = STREAM_CLOSER.submit(() -> closeAndGetHandle(registry, out));
                }
                buildChains(plan, written, chains);

                CheckpointStateOutputStream manifestOut =
                        streamFactory.createCheckpointStateOutputStream(
                                CheckpointedStateScope.EXCLUSIVE);
                registry.registerCloseable(manifestOut);
                Manifest.write(
                        new DataOutputViewStreamWrapper(manifestOut),
                        plan.keySerializer,
                        plan.metaInfos,
                        plan.keyGroupRange,
                        chains);
                manifest = closeAndGetHandle(registry, manifestOut);
                if (local != null) {
                    local.writeManifest(
                            localOut ->
                                    Manifest.write(
                                            localOut,
                                            plan.keySerializer,
                                            plan.metaInfos,
                                            plan.keyGroupRange,
                                            chains));
                }
                if (segmentUpload != null) {
                    segment = await(segmentUpload);
                }

                Map<String, StreamStateHandle> segments = new LinkedHashMap<>();
                List<HandleAndLocalPath> shared = new ArrayList<>();
                List<HandleAndLocalPath> sharedReal = new ArrayList<>();
                for (List<BlockRef> chain : chains) {
                    for (BlockRef block : chain) {
                        if (segments.containsKey(block.segment())) {
                            continue;
                        }
                        if (block.segment().equals(segmentName)) {
                            segments.put(segmentName, segment);
                            shared.add(HandleAndLocalPath.of(segment, segmentName));
                            sharedReal.add(HandleAndLocalPath.of(segment, segmentName));
                        } else {
                            StreamStateHandle old = plan.base.segment(block.segment());
                            segments.put(block.segment(), old);
                            shared.add(HandleAndLocalPath.of(placeholder(old), block.segment()));
                            sharedReal.add(HandleAndLocalPath.of(old, block.segment()));
                        }
                    }
                }

                long segmentBytes = segment == null ? 0 : segment.getStateSize();
                IncrementalRemoteKeyedStateHandle handle =
                        new IncrementalRemoteKeyedStateHandle(
                                backendId,
                                plan.keyGroupRange,
                                checkpointId,
                                shared,
                                Collections.emptyList(),
                                manifest,
                                manifest.getStateSize() + segmentBytes);
                if (sharing != SharingFilesStrategy.NO_SHARING) {
                    SnapshotLayout layout =
                            new SnapshotLayout(
                                    checkpointId,
                                    plan.keyGroupRange,
                                    chains,
                                    segments,
                                    plan.fingerprints);
                    history.recordPending(layout, plan.drain);
                    metrics.checkpointed(
                            figures(
                                    plan,
                                    written,
                                    layout,
                                    segmentBytes,
                                    manifest.getStateSize(),
                                    handle.getStateSize() - handle.getCheckpointedSize()));
                }
                IncrementalLocalKeyedStateHandle localHandle =
                        local == null
                                ? null
                                : local.complete(
                                        backendId,
                                        plan.keyGroupRange,
                                        sharedReal,
                                        segment == null ? null : segmentName);
                return localHandle == null
                        ? SnapshotResult.of(handle)
                        : SnapshotResult.withLocalState(handle, localHandle);
            } catch (Exception e) {
                if (local != null) {
                    local.discard();
                }
                if (segment == null && segmentUpload != null) {
                    segment = uploadedOrNull(segmentUpload);
                }
                for (StreamStateHandle uploaded : new StreamStateHandle[] {segment, manifest}) {
                    if (uploaded != null) {
                        try {
                            uploaded.discardState();
                        } catch (Exception discard) {
                            e.addSuppressed(discard);
                        }
                    }
                }
                throw e;
            }
        };
    }

    /**
     * The figures of a checkpoint: a key group written as a base although it had a chain to extend
     * was rewritten by compaction.
     */
    private static <K> SnapshotFigures figures(
            SnapshotPlan<K> plan,
            BlockRef[] written,
            SnapshotLayout layout,
            long segmentBytes,
            long manifestBytes,
            long reusedBytes) {
        long chainBlocks = 0;
        int keyGroups = 0;
        int maxDepth = 0;
        for (int keyGroup : plan.keyGroupRange) {
            int depth = layout.chain(keyGroup).size();
            if (depth > 0) {
                keyGroups++;
                chainBlocks += depth;
                maxDepth = Math.max(maxDepth, depth);
            }
        }
        long compactedBytes = 0;
        int compactedKeyGroups = 0;
        for (int i = 0; i < plan.actions.length; i++) {
            if (plan.actions[i] == SnapshotPlan.Action.BASE && plan.base.chain(i) != null) {
                compactedBytes += written[i].length();
                compactedKeyGroups++;
            }
        }
        return new SnapshotFigures(
                plan.checkpointId,
                segmentBytes,
                manifestBytes,
                reusedBytes,
                layout.blockBytes(),
                keyGroups,
                maxDepth,
                chainBlocks,
                compactedBytes,
                compactedKeyGroups);
    }

    /** The upload's result, or its failure as the exception it threw. */
    private static StreamStateHandle await(Future<StreamStateHandle> upload) throws Exception {
        try {
            return upload.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof Exception ? (Exception) cause : e;
        }
    }

    /** Waits for an upload that a failure made pointless, so that its object can be deleted. */
    @Nullable
    private static StreamStateHandle uploadedOrNull(Future<StreamStateHandle> upload) {
        try {
            return upload.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException e) {
            return null;
        }
    }

    private static <K> BlockRef[] writeSegment(
            SnapshotPlan<K> plan,
            String segmentName,
            BlockCompression compression,
            CheckpointStateOutputStream out,
            @Nullable OutputStream localCopy)
            throws IOException {
        DataOutputSerializer header = new DataOutputSerializer(16);
        header.writeInt(SegmentFormat.MAGIC);
        header.writeInt(SegmentFormat.VERSION);
        header.writeLong(plan.checkpointId);
        out.write(header.getSharedBuffer(), 0, header.length());
        if (localCopy != null) {
            localCopy.write(header.getSharedBuffer(), 0, header.length());
        }
        BlockWriter<K> writer = new BlockWriter<>(plan);
        BlockCompressor compressor = new BlockCompressor(compression);
        CRC32C crc = new CRC32C();
        BlockRef[] written = new BlockRef[plan.actions.length];
        for (int i = 0; i < plan.actions.length; i++) {
            SnapshotPlan.Action action = plan.actions[i];
            if (action != SnapshotPlan.Action.BASE && action != SnapshotPlan.Action.DELTA) {
                continue;
            }
            boolean base = action == SnapshotPlan.Action.BASE;
            int rawLength = writer.write(i, base);
            plan.release(i);
            BlockCompression stored = compressor.store(writer.buffer(), rawLength);
            // The CRC32C covers what is stored: a restore checks it before decompressing.
            crc.reset();
            crc.update(compressor.bytes(), 0, compressor.length());
            long offset = out.getPos();
            out.write(compressor.bytes(), 0, compressor.length());
            if (localCopy != null) {
                localCopy.write(compressor.bytes(), 0, compressor.length());
            }
            written[i] =
                    new BlockRef(
                            segmentName,
                            offset,
                            compressor.length(),
                            (int) crc.getValue(),
                            base ? BlockRef.BASE : BlockRef.DELTA,
                            writer.entries(),
                            stored,
                            rawLength,
                            writer.queues());
        }
        return written;
    }

    private static <K> void buildChains(
            SnapshotPlan<K> plan, BlockRef[] written, List<List<BlockRef>> chains) {
        for (int i = 0; i < plan.actions.length; i++) {
            switch (plan.actions[i]) {
                case KEEP:
                    chains.add(plan.base.chain(i));
                    break;
                case DELTA:
                    List<BlockRef> chain = new ArrayList<>(plan.base.chain(i));
                    chain.add(written[i]);
                    chains.add(Collections.unmodifiableList(chain));
                    break;
                case BASE:
                    chains.add(Collections.singletonList(written[i]));
                    break;
                default:
                    chains.add(Collections.emptyList());
            }
        }
    }

    private static StreamStateHandle closeAndGetHandle(
            org.apache.flink.core.fs.CloseableRegistry registry, CheckpointStateOutputStream out)
            throws IOException {
        if (!registry.unregisterCloseable(out)) {
            IOUtils.closeQuietly(out);
            throw new IOException("Snapshot stream was closed: the snapshot was cancelled");
        }
        StreamStateHandle handle = out.closeAndGetHandle();
        if (handle == null) {
            throw new IOException("Snapshot stream returned no handle");
        }
        return handle;
    }

    private static StreamStateHandle placeholder(StreamStateHandle handle) {
        return new PlaceholderStreamStateHandle(
                handle.getStreamStateHandleID(),
                handle.getStateSize(),
                handle instanceof SegmentFileStateHandle);
    }
}
