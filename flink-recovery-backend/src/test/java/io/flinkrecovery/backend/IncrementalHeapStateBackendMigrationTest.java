package io.flinkrecovery.backend;

import org.apache.flink.runtime.state.CheckpointStorage;
import org.apache.flink.runtime.state.StateBackendMigrationTestBase;
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
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Flink's serializer-migration conformance suite, set up as for {@code HashMapStateBackend}. */
@ExtendWith(ParameterizedTestExtension.class)
class IncrementalHeapStateBackendMigrationTest
        extends StateBackendMigrationTestBase<IncrementalHeapStateBackend> {

    @TempDir private static Path tempFolder;

    @Parameter public SupplierWithException<CheckpointStorage, IOException> storageSupplier;

    @Parameters
    public static List<Object> modes() {
        return Arrays.asList(
                (SupplierWithException<CheckpointStorage, IOException>)
                        JobManagerCheckpointStorage::new,
                (SupplierWithException<CheckpointStorage, IOException>)
                        () -> {
                            String checkpointPath =
                                    TempDirUtils.newFolder(tempFolder).toURI().toString();
                            return new FileSystemCheckpointStorage(checkpointPath);
                        });
    }

    @Override
    protected IncrementalHeapStateBackend getStateBackend() {
        return new IncrementalHeapStateBackend();
    }

    @Override
    protected CheckpointStorage getCheckpointStorage() throws Exception {
        return storageSupplier.get();
    }
}
