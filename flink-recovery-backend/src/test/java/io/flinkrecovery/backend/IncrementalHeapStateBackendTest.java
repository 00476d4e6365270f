package io.flinkrecovery.backend;

import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.state.CheckpointStorage;
import org.apache.flink.runtime.state.ConfigurableStateBackend;
import org.apache.flink.runtime.state.StateBackendTestBase;
import org.apache.flink.runtime.state.storage.FileSystemCheckpointStorage;
import org.apache.flink.runtime.state.storage.JobManagerCheckpointStorage;
import org.apache.flink.testutils.junit.extensions.parameterized.Parameter;
import org.apache.flink.testutils.junit.extensions.parameterized.ParameterizedTestExtension;
import org.apache.flink.testutils.junit.extensions.parameterized.Parameters;
import org.apache.flink.testutils.junit.utils.TempDirUtils;
import org.apache.flink.util.function.SupplierWithException;

import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * Flink's conformance suite for keyed state backends, run exactly as Flink runs it for {@code
 * HashMapStateBackend}: on the JobManager's storage and on file-system storage that writes every
 * stream to a file.
 */
@ExtendWith(ParameterizedTestExtension.class)
class IncrementalHeapStateBackendTest extends StateBackendTestBase<IncrementalHeapStateBackend> {

    @TempDir private static java.nio.file.Path tempFolder;

    @Parameter public SupplierWithException<CheckpointStorage, IOException> storageSupplier;

    @Parameters
    public static List<Object[]> modes() {
        return Arrays.asList(
                new Object[] {
                    (SupplierWithException<CheckpointStorage, IOException>)
                            JobManagerCheckpointStorage::new
                },
                new Object[] {
                    (SupplierWithException<CheckpointStorage, IOException>)
                            () -> {
                                String checkpointPath =
                                        TempDirUtils.newFolder(tempFolder).toURI().toString();
                                return new FileSystemCheckpointStorage(
                                        new Path(checkpointPath), 0, -1);
                            }
                });
    }

    @Override
    protected ConfigurableStateBackend getStateBackend() {
        return new IncrementalHeapStateBackend();
    }

    @Override
    protected CheckpointStorage getCheckpointStorage() throws Exception {
        return storageSupplier.get();
    }

    @Override
    protected boolean supportsAsynchronousSnapshots() {
        return true;
    }

    @Override
    protected boolean isSerializerPresenceRequiredOnRestore() {
        return true;
    }
}
