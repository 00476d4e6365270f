package io.flinkrecovery.backend;

import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.state.AbstractKeyedStateBackend;
import org.apache.flink.runtime.state.AbstractStateBackend;
import org.apache.flink.runtime.state.BackendBuildingException;
import org.apache.flink.runtime.state.ConfigurableStateBackend;
import org.apache.flink.runtime.state.DefaultOperatorStateBackendBuilder;
import org.apache.flink.runtime.state.OperatorStateBackend;

import io.flinkrecovery.compat.HeapStateMetrics;

import java.io.IOException;

/**
 * Keyed state on the JVM heap, like {@code HashMapStateBackend}, whose checkpoints upload only what
 * changed since the last confirmed checkpoint: one segment per subtask and checkpoint plus a
 * manifest. Operator state is Flink's {@code DefaultOperatorStateBackend}, written in full.
 */
public class IncrementalHeapStateBackend extends AbstractStateBackend
        implements ConfigurableStateBackend {

    private static final long serialVersionUID = 1L;

    private final BackendSettings settings;
    private final HeapStateMetrics stateMetrics;

    public IncrementalHeapStateBackend() {
        this.settings = BackendSettings.defaults();
        this.stateMetrics = new HeapStateMetrics();
    }

    private IncrementalHeapStateBackend(
            IncrementalHeapStateBackend original, ReadableConfig config) {
        this.settings = BackendSettings.fromConfig(config);
        this.stateMetrics = original.stateMetrics.configure(config);
    }

    @Override
    public IncrementalHeapStateBackend configure(ReadableConfig config, ClassLoader classLoader)
            throws IllegalConfigurationException {
        return new IncrementalHeapStateBackend(this, config);
    }

    public BackendSettings getSettings() {
        return settings;
    }

    @Override
    public boolean supportsNoClaimRestoreMode() {
        // A FULL_CHECKPOINT (SharingFilesStrategy.FORWARD) writes every key group afresh.
        return true;
    }

    @Override
    public boolean supportsSavepointFormat(SavepointFormatType formatType) {
        return formatType == SavepointFormatType.CANONICAL
                || formatType == SavepointFormatType.NATIVE;
    }

    @Override
    public <K> AbstractKeyedStateBackend<K> createKeyedStateBackend(
            KeyedStateBackendParameters<K> parameters) throws IOException {
        return new IncrementalHeapKeyedStateBackendBuilder<>(
                        parameters,
                        settings,
                        stateMetrics,
                        getCompressionDecorator(parameters.getEnv().getExecutionConfig()))
                .build();
    }

    @Override
    public OperatorStateBackend createOperatorStateBackend(
            OperatorStateBackendParameters parameters) throws BackendBuildingException {
        return new DefaultOperatorStateBackendBuilder(
                        parameters.getEnv().getUserCodeClassLoader().asClassLoader(),
                        parameters.getEnv().getExecutionConfig(),
                        true,
                        parameters.getStateHandles(),
                        parameters.getCancelStreamRegistry())
                .build();
    }

    @Override
    public String toString() {
        return "IncrementalHeapStateBackend{" + settings + "}";
    }
}
