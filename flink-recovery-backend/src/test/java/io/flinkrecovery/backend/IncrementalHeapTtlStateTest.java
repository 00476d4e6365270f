package io.flinkrecovery.backend;

import org.apache.flink.runtime.state.StateBackend;
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
        };
    }

    @Override
    protected boolean incrementalCleanupSupported() {
        return true;
    }
}
