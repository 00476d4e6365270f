package io.flinkrecovery.compat;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.StateBackend.KeyedStateBackendParameters;
import org.apache.flink.runtime.state.StreamCompressionDecorator;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackendBuilder;
import org.apache.flink.runtime.state.heap.HeapPriorityQueueSetFactory;
import org.apache.flink.runtime.state.metrics.LatencyTrackingStateConfig;

import java.io.Serializable;
import java.util.Collection;

/**
 * The state metrics of Flink's heap backend, configured as {@code HashMapStateBackend} configures
 * them, and the heap builder that takes them. Flink 1.20: latency tracking (size tracking came with
 * 2.0).
 */
public final class HeapStateMetrics implements Serializable {

    private static final long serialVersionUID = 1L;

    private final LatencyTrackingStateConfig.Builder latencyTracking;

    public HeapStateMetrics() {
        this(LatencyTrackingStateConfig.newBuilder());
    }

    private HeapStateMetrics(LatencyTrackingStateConfig.Builder latencyTracking) {
        this.latencyTracking = latencyTracking;
    }

    /** These metrics with the settings of {@code config} applied. */
    public HeapStateMetrics configure(ReadableConfig config) {
        return new HeapStateMetrics(latencyTracking.configure(config));
    }

    /** Flink's heap backend builder for one keyed backend, reporting to its metric group. */
    public <K> HeapKeyedStateBackendBuilder<K> heapBuilder(
            KeyedStateBackendParameters<K> parameters,
            TypeSerializer<K> keySerializer,
            ClassLoader classLoader,
            KeyGroupRange range,
            Collection<KeyedStateHandle> stateHandles,
            StreamCompressionDecorator compressionDecorator,
            HeapPriorityQueueSetFactory priorityQueueFactory) {
        return new HeapKeyedStateBackendBuilder<>(
                parameters.getKvStateRegistry(),
                keySerializer,
                classLoader,
                parameters.getNumberOfKeyGroups(),
                range,
                parameters.getEnv().getExecutionConfig(),
                parameters.getTtlTimeProvider(),
                latencyTracking.setMetricGroup(parameters.getMetricGroup()).build(),
                stateHandles,
                compressionDecorator,
                parameters.getEnv().getTaskStateManager().createLocalRecoveryConfig(),
                priorityQueueFactory,
                true,
                parameters.getCancelStreamRegistry());
    }
}
