package io.flinkrecovery.backend;

import org.apache.flink.runtime.state.CheckpointStorage;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.storage.JobManagerCheckpointStorage;
import org.apache.flink.runtime.state.ttl.StateBackendTestContext;
import org.apache.flink.runtime.state.ttl.TtlStateTestBase;
import org.apache.flink.runtime.state.ttl.TtlTimeProvider;

/** Flink's TTL conformance suite, set up as Flink sets it up for its heap backend. */
class IncrementalHeapTtlStateTest extends TtlStateTestBase {

    @Override
    protected StateBackendTestContext createStateBackendTestContext(TtlTimeProvider timeProvider) {
        return new StateBackendTestContext(timeProvider) {
            @Override
            protected StateBackend createStateBackend() {
                return new IncrementalHeapStateBackend();
            }

            @Override
            protected CheckpointStorage createCheckpointStorage() {
                // Flink 2.x's default; Flink 1.20 asks every heap backend's test to say so.
                return new JobManagerCheckpointStorage();
            }
        };
    }

    @Override
    protected boolean incrementalCleanupSupported() {
        return true;
    }
}
