package io.flinkrecovery.backend;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.runtime.state.BackendBuildingException;
import org.apache.flink.runtime.state.IncrementalKeyedStateHandle;
import org.apache.flink.runtime.state.IncrementalLocalKeyedStateHandle;
import org.apache.flink.runtime.state.IncrementalRemoteKeyedStateHandle;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupsStateHandle;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.SavepointResources;
import org.apache.flink.runtime.state.StateBackend.KeyedStateBackendParameters;
import org.apache.flink.runtime.state.StateSerializerProvider;
import org.apache.flink.runtime.state.StreamCompressionDecorator;
import org.apache.flink.runtime.state.StreamStateHandle;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.runtime.state.heap.HeapPriorityQueueSetFactory;
import org.apache.flink.runtime.state.metainfo.StateMetaInfoSnapshot;
import org.apache.flink.util.StateMigrationException;

import io.flinkrecovery.backend.metrics.BackendMetrics;
import io.flinkrecovery.backend.metrics.RestoreFigures;
import io.flinkrecovery.backend.restore.DeferredKeyedState;
import io.flinkrecovery.backend.restore.HeapStateRegistrar;
import io.flinkrecovery.backend.restore.IncrementalRestoreOperation;
import io.flinkrecovery.backend.restore.RangeReader;
import io.flinkrecovery.backend.snapshot.BlockCompression;
import io.flinkrecovery.backend.snapshot.CompactionPolicy;
import io.flinkrecovery.backend.snapshot.IncrementalSnapshotter;
import io.flinkrecovery.backend.snapshot.LocalBackup;
import io.flinkrecovery.backend.snapshot.LocalCopyFiles;
import io.flinkrecovery.backend.snapshot.Manifest;
import io.flinkrecovery.backend.snapshot.RestoredSegments;
import io.flinkrecovery.backend.snapshot.SnapshotHistory;
import io.flinkrecovery.backend.snapshot.SnapshotLayout;
import io.flinkrecovery.backend.snapshot.TrackedStates;
import io.flinkrecovery.compat.HeapStateMetrics;
import io.flinkrecovery.objectstore.RequestMetrics;
import io.flinkrecovery.objectstore.s3.S3ObjectStores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.annotation.Nullable;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds an {@link IncrementalHeapKeyedStateBackend}. Our own snapshots are restored by {@link
 * IncrementalRestoreOperation}; {@code HashMapStateBackend} checkpoints and canonical savepoints
 * are handed to Flink's heap builder unchanged, and the next checkpoint writes every key group.
 */
final class IncrementalHeapKeyedStateBackendBuilder<K> {

    private static final Logger LOG =
            LoggerFactory.getLogger(IncrementalHeapKeyedStateBackendBuilder.class);

    /** As in {@code HashMapStateBackend}. */
    private static final int PRIORITY_QUEUE_INITIAL_CAPACITY = 128;

    private final KeyedStateBackendParameters<K> parameters;
    private final BackendSettings settings;
    private final HeapStateMetrics stateMetrics;
    private final StreamCompressionDecorator compressionDecorator;

    IncrementalHeapKeyedStateBackendBuilder(
            KeyedStateBackendParameters<K> parameters,
            BackendSettings settings,
            HeapStateMetrics stateMetrics,
            StreamCompressionDecorator compressionDecorator) {
        this.parameters = parameters;
        this.settings = settings;
        this.stateMetrics = stateMetrics;
        this.compressionDecorator = compressionDecorator;
    }

    IncrementalHeapKeyedStateBackend<K> build() throws BackendBuildingException {
        long start = System.nanoTime();
        ClassLoader classLoader = parameters.getEnv().getUserCodeClassLoader().asClassLoader();
        KeyGroupRange range = parameters.getKeyGroupRange();
        List<KeyedStateHandle> flinkHandles = new ArrayList<>();
        List<IncrementalKeyedStateHandle> ownHandles = new ArrayList<>();
        for (KeyedStateHandle handle : parameters.getStateHandles()) {
            if (handle == null) {
                continue;
            }
            if (handle instanceof KeyGroupsStateHandle) {
                flinkHandles.add(handle);
            } else if (handle instanceof IncrementalRemoteKeyedStateHandle
                    || handle instanceof IncrementalLocalKeyedStateHandle) {
                // A local handle is the task-local copy of one of our snapshots.
                ownHandles.add((IncrementalKeyedStateHandle) handle);
            } else {
                throw new BackendBuildingException(
                        "Cannot restore keyed state from "
                                + handle.getClass().getSimpleName()
                                + " "
                                + handle
                                + ": IncrementalHeapStateBackend restores its own snapshots,"
                                + " HashMapStateBackend checkpoints and canonical savepoints");
            }
        }
        if (!flinkHandles.isEmpty() && !ownHandles.isEmpty()) {
            throw new BackendBuildingException(
                    "Cannot restore keyed state from a mix of heap snapshots and incremental"
                            + " heap snapshots of one operator");
        }

        long restoreStart = System.nanoTime();
        long manifestBytes = 0;
        List<Manifest> manifests = new ArrayList<>();
        for (IncrementalKeyedStateHandle handle : ownHandles) {
            try {
                StreamStateHandle manifest = manifestOf(handle);
                manifestBytes += manifest.getStateSize();
                manifests.add(Manifest.read(manifest, classLoader));
            } catch (Exception e) {
                throw new BackendBuildingException(
                        "Cannot restore keyed state from " + handle.getMetaDataStateHandle(), e);
            }
        }
        TypeSerializer<K> keySerializer = parameters.getKeySerializer();
        if (!manifests.isEmpty()) {
            keySerializer = checkKeySerializer(keySerializer, manifests.get(0));
        }

        HeapKeyedStateBackend<K> heap =
                stateMetrics
                        .heapBuilder(
                                parameters,
                                keySerializer,
                                classLoader,
                                range,
                                flinkHandles,
                                compressionDecorator,
                                new HeapPriorityQueueSetFactory(
                                        range,
                                        parameters.getNumberOfKeyGroups(),
                                        PRIORITY_QUEUE_INITIAL_CAPACITY))
                        .build();

        TrackedStates<K> states = new TrackedStates<>(range, parameters.getNumberOfKeyGroups());
        SnapshotHistory history = new SnapshotHistory();
        BackendMetrics metrics = new BackendMetrics();
        LocalBackup localBackup =
                LocalBackup.of(
                        parameters.getEnv().getTaskStateManager().createLocalRecoveryConfig());
        IncrementalSnapshotter<K> snapshotter =
                new IncrementalSnapshotter<>(
                        states,
                        heap.getKeySerializer(),
                        history,
                        new CompactionPolicy(
                                settings.maxDeltas(),
                                settings.maxSpaceAmplification(),
                                settings.rewriteInterval()),
                        BlockCompression.forSnapshots(parameters.getEnv().getExecutionConfig()),
                        metrics,
                        localBackup);
        IncrementalHeapKeyedStateBackend<K> backend =
                new IncrementalHeapKeyedStateBackend<>(heap, states, snapshotter);
        try {
            HeapStateRegistrar<K> registrar = new HeapStateRegistrar<>(heap, states);
            if (!flinkHandles.isEmpty()) {
                trackStatesRestoredByHeap(heap, registrar);
            }
            if (!ownHandles.isEmpty()) {
                RangeReader reader = new RangeReader(settings.s3Settings());
                RestoredSegments downloads = keepDownloads(ownHandles, localBackup);
                SnapshotLayout restored;
                IncrementalRestoreOperation<K> operation =
                        new IncrementalRestoreOperation<>(
                                ownHandles,
                                manifests,
                                range,
                                heap.getKeySerializer(),
                                registrar,
                                reader,
                                settings.restoreThreads(),
                                parameters.getCancelStreamRegistry(),
                                downloads,
                                settings.restoreDeferred());
                try {
                    restored = operation.restore();
                } catch (Exception e) {
                    if (downloads != null) {
                        downloads.delete();
                    }
                    throw e;
                }
                history.restored(restored);
                if (localBackup != null) {
                    recordLocalSegments(ownHandles, restored, localBackup, downloads);
                }
                DeferredKeyedState deferred = operation.deferred();
                long restoreMillis = (System.nanoTime() - restoreStart) / 1_000_000;
                metrics.restored(
                        new RestoreFigures(
                                restored.checkpointId(),
                                restoreMillis,
                                manifestBytes + operation.plannedReadBytes(),
                                restored.blockBytes(),
                                ownHandles.get(0) instanceof IncrementalLocalKeyedStateHandle,
                                deferred == null ? 0 : deferred.keyGroups()));
                if (deferred != null) {
                    backend.applyInBackground(
                            deferred,
                            parameters.getOperatorIdentifier(),
                            parameters.getEnv()::failExternally,
                            millis -> metrics.restoreApplied(restoreMillis + millis));
                }
            }
        } catch (Exception e) {
            backend.dispose();
            throw new BackendBuildingException(
                    "Cannot restore keyed state of " + parameters.getOperatorIdentifier(), e);
        }
        registerMetrics(metrics);
        if (!parameters.getStateHandles().isEmpty()) {
            LOG.info(
                    "Built the keyed state of {} for key groups {} from {} handles in {} ms",
                    parameters.getOperatorIdentifier(),
                    range.prettyPrintInterval(),
                    parameters.getStateHandles().size(),
                    (System.nanoTime() - start) / 1_000_000);
        }
        return backend;
    }

    /** The manifest of a handle; a task-local one only once its checksum matches. */
    private static StreamStateHandle manifestOf(IncrementalKeyedStateHandle handle)
            throws IOException {
        return handle instanceof IncrementalLocalKeyedStateHandle
                ? LocalCopyFiles.verifiedManifest((IncrementalLocalKeyedStateHandle) handle)
                : handle.getMetaDataStateHandle();
    }

    /**
     * Where a restore from the checkpoint storage keeps what it downloads, so that the next
     * checkpoint can have a complete local copy; null without local backup, or when restoring from
     * local copies, whose files are already local.
     */
    @Nullable
    private static RestoredSegments keepDownloads(
            List<IncrementalKeyedStateHandle> handles, @Nullable LocalBackup localBackup) {
        if (localBackup == null
                || handles.stream().anyMatch(h -> h instanceof IncrementalLocalKeyedStateHandle)) {
            return null;
        }
        long checkpointId =
                handles.stream()
                        .mapToLong(IncrementalKeyedStateHandle::getCheckpointId)
                        .max()
                        .orElse(0);
        return localBackup.keepDownloads(checkpointId);
    }

    /**
     * Tells the local backup where the restored segments are on disk (the local copy restored from,
     * or the downloads), so that the next checkpoint's copy links them.
     */
    private static void recordLocalSegments(
            List<IncrementalKeyedStateHandle> handles,
            SnapshotLayout restored,
            LocalBackup localBackup,
            @Nullable RestoredSegments downloads) {
        Path directory = null;
        for (IncrementalKeyedStateHandle handle : handles) {
            if (handle instanceof IncrementalLocalKeyedStateHandle) {
                directory =
                        ((IncrementalLocalKeyedStateHandle) handle)
                                .getDirectoryStateHandle()
                                .getDirectory();
            }
        }
        if (directory == null && downloads != null) {
            directory = downloads.finish();
        }
        Map<String, Path> files = new HashMap<>();
        if (directory != null) {
            for (String segment : restored.segments().keySet()) {
                files.put(segment, directory.resolve(segment));
            }
        }
        localBackup.restored(restored.checkpointId(), files, directory == null ? null : downloads);
    }

    @SuppressWarnings("unchecked")
    private TypeSerializer<K> checkKeySerializer(TypeSerializer<K> keySerializer, Manifest manifest)
            throws BackendBuildingException {
        StateSerializerProvider<K> provider =
                StateSerializerProvider.fromNewRegisteredSerializer(keySerializer);
        TypeSerializerSchemaCompatibility<K> compatibility =
                provider.setPreviousSerializerSnapshotForRestoredState(
                        (TypeSerializerSnapshot<K>) manifest.keySerializerSnapshot());
        if (compatibility.isCompatibleAfterMigration() || compatibility.isIncompatible()) {
            throw new BackendBuildingException(
                    "Cannot restore keyed state of " + parameters.getOperatorIdentifier(),
                    new StateMigrationException(
                            "The new key serializer ("
                                    + keySerializer
                                    + ") must be compatible with the previous key serializer ("
                                    + provider.previousSchemaSerializer()
                                    + ")."));
        }
        return provider.currentSchemaSerializer();
    }

    /**
     * Flink's heap restore wrote straight into its tables: track every restored state, so that it
     * is in our next snapshot even if the job never touches it. Nothing is confirmed yet, so that
     * snapshot writes every key group.
     */
    private static <K> void trackStatesRestoredByHeap(
            HeapKeyedStateBackend<K> heap, HeapStateRegistrar<K> registrar) throws Exception {
        SavepointResources<K> resources = heap.savepoint();
        List<StateMetaInfoSnapshot> metaInfos;
        try {
            metaInfos = resources.getSnapshotResources().getMetaInfoSnapshots();
        } finally {
            resources.getSnapshotResources().release();
        }
        for (StateMetaInfoSnapshot snapshot : metaInfos) {
            switch (snapshot.getBackendStateType()) {
                case KEY_VALUE:
                    registrar.registerKv(snapshot);
                    break;
                case PRIORITY_QUEUE:
                    registrar.registerPq(snapshot);
                    break;
                default:
                    throw new IllegalStateException(
                            "Unexpected restored state "
                                    + snapshot.getName()
                                    + " of type "
                                    + snapshot.getBackendStateType());
            }
        }
    }

    private void registerMetrics(BackendMetrics metrics) {
        metrics.register(parameters.getMetricGroup());
        if (!settings.s3CheckpointStorage() || settings.s3Settings() == null) {
            return;
        }
        try {
            RequestMetrics.register(
                    parameters.getMetricGroup(),
                    S3ObjectStores.forSettings(settings.s3Settings()).counters());
        } catch (RuntimeException e) {
            LOG.warn("Cannot register the S3 request metrics; continuing without them", e);
        }
    }
}
