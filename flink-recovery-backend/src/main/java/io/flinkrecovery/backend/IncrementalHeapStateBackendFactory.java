package io.flinkrecovery.backend;

import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.runtime.state.StateBackendFactory;

/**
 * Selects the {@link IncrementalHeapStateBackend} with {@code state.backend.type:
 * io.flinkrecovery.backend.IncrementalHeapStateBackendFactory}.
 */
public final class IncrementalHeapStateBackendFactory
        implements StateBackendFactory<IncrementalHeapStateBackend> {

    public IncrementalHeapStateBackendFactory() {}

    @Override
    public IncrementalHeapStateBackend createFromConfig(
            ReadableConfig config, ClassLoader classLoader) throws IllegalConfigurationException {
        return new IncrementalHeapStateBackend().configure(config, classLoader);
    }
}
