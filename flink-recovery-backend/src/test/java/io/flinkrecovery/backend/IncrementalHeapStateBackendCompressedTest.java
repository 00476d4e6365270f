package io.flinkrecovery.backend;

import org.junit.jupiter.api.BeforeEach;

/**
 * Flink's conformance suite once more, with {@code execution.checkpointing.snapshot-compression} on
 * in the environment the suite builds its backends with: every snapshot it takes and restores
 * stores its blocks compressed where that makes them smaller. (Flink's own compression test, {@code
 * StateSnapshotCompressionTest}, builds Flink's heap backend directly and cannot run against ours;
 * {@link SnapshotCompressionTest} checks the same for ours.)
 */
class IncrementalHeapStateBackendCompressedTest extends IncrementalHeapStateBackendTest {

    /** Runs after the suite's own {@code before()}, which creates {@link #env}. */
    @BeforeEach
    void useSnapshotCompression() {
        env.getExecutionConfig().setUseSnapshotCompression(true);
    }
}
