package io.flinkrecovery.backend;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.core.fs.CloseableRegistry;
import org.apache.flink.core.fs.Path;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.checkpoint.CheckpointType;
import org.apache.flink.runtime.checkpoint.SavepointType;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.state.CheckpointStorageLocationReference;
import org.apache.flink.runtime.state.CheckpointStreamFactory;
import org.apache.flink.runtime.state.IncrementalKeyedStateHandle.HandleAndLocalPath;
import org.apache.flink.runtime.state.IncrementalRemoteKeyedStateHandle;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyedStateBackendParametersImpl;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.SharedStateRegistryImpl;
import org.apache.flink.runtime.state.SnapshotResult;
import org.apache.flink.runtime.state.storage.FileSystemCheckpointStorage;
import org.apache.flink.runtime.state.ttl.TtlTimeProvider;

import java.util.List;
import java.util.Set;
import java.util.concurrent.RunnableFuture;
import java.util.stream.Collectors;

/**
 * Creates, checkpoints and restores incremental heap keyed backends the way a task and the
 * JobManager would: snapshots go to file-system storage (every stream a file), their shared state
 * is registered in one {@link SharedStateRegistryImpl}, and completion is notified explicitly.
 */
final class BackendHarness implements AutoCloseable {

    static final int MAX_PARALLELISM = 128;

    private final IncrementalHeapStateBackend stateBackend;
    private final CheckpointStreamFactory streamFactory;
    private final SharedStateRegistryImpl registry = new SharedStateRegistryImpl();
    private final MockEnvironment env;
    private TtlTimeProvider timeProvider = TtlTimeProvider.DEFAULT;

    BackendHarness(java.nio.file.Path dir) throws Exception {
        this(dir, new IncrementalHeapStateBackend());
    }

    BackendHarness(java.nio.file.Path dir, IncrementalHeapStateBackend stateBackend)
            throws Exception {
        this.stateBackend = stateBackend;
        this.streamFactory =
                new FileSystemCheckpointStorage(new Path(dir.toUri()), 0, -1)
                        .createCheckpointStorage(new JobID())
                        .resolveCheckpointStorageLocation(
                                1L, CheckpointStorageLocationReference.getDefault());
        this.env = MockEnvironment.builder().build();
    }

    /** The environment of every backend this harness creates. */
    MockEnvironment env() {
        return env;
    }

    void setTimeProvider(TtlTimeProvider timeProvider) {
        this.timeProvider = timeProvider;
    }

    /**
     * Sets {@code execution.checkpointing.snapshot-compression} for the backends created or
     * restored from now on, as a restart with a changed configuration would.
     */
    void setSnapshotCompression(boolean compress) {
        env.getExecutionConfig().setUseSnapshotCompression(compress);
    }

    /** Registers a handle's shared state, as the JobManager does for a restored checkpoint. */
    void register(KeyedStateHandle handle, long checkpointId) {
        handle.registerSharedStates(registry, checkpointId);
    }

    IncrementalHeapKeyedStateBackend<Integer> create() throws Exception {
        return restore(new KeyGroupRange(0, MAX_PARALLELISM - 1), List.of());
    }

    IncrementalHeapKeyedStateBackend<Integer> restore(KeyedStateHandle handle) throws Exception {
        return restore(handle.getKeyGroupRange(), List.of(handle));
    }

    IncrementalHeapKeyedStateBackend<Integer> restore(
            KeyGroupRange range, List<KeyedStateHandle> handles) throws Exception {
        return (IncrementalHeapKeyedStateBackend<Integer>)
                stateBackend.createKeyedStateBackend(
                        new KeyedStateBackendParametersImpl<>(
                                env,
                                new JobID(),
                                "test_op",
                                IntSerializer.INSTANCE,
                                MAX_PARALLELISM,
                                range,
                                env.getTaskKvStateRegistry(),
                                timeProvider,
                                new UnregisteredMetricsGroup(),
                                (name, value) -> {},
                                handles,
                                new CloseableRegistry(),
                                1.0));
    }

    IncrementalRemoteKeyedStateHandle checkpoint(
            IncrementalHeapKeyedStateBackend<Integer> backend, long checkpointId) throws Exception {
        return snapshot(
                backend, checkpointId, CheckpointOptions.forCheckpointWithDefaultLocation());
    }

    IncrementalRemoteKeyedStateHandle fullCheckpoint(
            IncrementalHeapKeyedStateBackend<Integer> backend, long checkpointId) throws Exception {
        return snapshot(
                backend,
                checkpointId,
                new CheckpointOptions(
                        CheckpointType.FULL_CHECKPOINT,
                        CheckpointStorageLocationReference.getDefault()));
    }

    IncrementalRemoteKeyedStateHandle nativeSavepoint(
            IncrementalHeapKeyedStateBackend<Integer> backend, long checkpointId) throws Exception {
        return snapshot(
                backend,
                checkpointId,
                new CheckpointOptions(
                        SavepointType.savepoint(SavepointFormatType.NATIVE),
                        CheckpointStorageLocationReference.getDefault()));
    }

    /** Checkpoints, registers at the "JobManager" and confirms. */
    IncrementalRemoteKeyedStateHandle completeCheckpoint(
            IncrementalHeapKeyedStateBackend<Integer> backend, long checkpointId) throws Exception {
        IncrementalRemoteKeyedStateHandle handle = checkpoint(backend, checkpointId);
        backend.notifyCheckpointComplete(checkpointId);
        return handle;
    }

    /** A checkpoint whose asynchronous phase starts only after {@code betweenPhases} ran. */
    IncrementalRemoteKeyedStateHandle checkpoint(
            IncrementalHeapKeyedStateBackend<Integer> backend,
            long checkpointId,
            IncrementalSnapshotTest.ThrowingConsumer betweenPhases)
            throws Exception {
        return snapshot(
                backend,
                checkpointId,
                CheckpointOptions.forCheckpointWithDefaultLocation(),
                betweenPhases);
    }

    private IncrementalRemoteKeyedStateHandle snapshot(
            IncrementalHeapKeyedStateBackend<Integer> backend,
            long checkpointId,
            CheckpointOptions options)
            throws Exception {
        return snapshot(backend, checkpointId, options, b -> {});
    }

    private IncrementalRemoteKeyedStateHandle snapshot(
            IncrementalHeapKeyedStateBackend<Integer> backend,
            long checkpointId,
            CheckpointOptions options,
            IncrementalSnapshotTest.ThrowingConsumer betweenPhases)
            throws Exception {
        RunnableFuture<SnapshotResult<KeyedStateHandle>> future =
                backend.snapshot(checkpointId, checkpointId, streamFactory, options);
        betweenPhases.accept(backend);
        future.run();
        KeyedStateHandle handle = future.get().getJobManagerOwnedSnapshot();
        handle.registerSharedStates(registry, checkpointId);
        return (IncrementalRemoteKeyedStateHandle) handle;
    }

    /** Bytes this snapshot uploaded in its segment (not counting the manifest). */
    static long segmentBytes(IncrementalRemoteKeyedStateHandle handle) {
        return handle.getCheckpointedSize() - handle.getMetaDataStateHandle().getStateSize();
    }

    static Set<String> segments(IncrementalRemoteKeyedStateHandle handle) {
        return handle.getSharedState().stream()
                .map(HandleAndLocalPath::getLocalPath)
                .collect(Collectors.toSet());
    }

    @Override
    public void close() throws Exception {
        registry.close();
        env.close();
    }
}
