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
import org.apache.flink.runtime.state.metrics.SizeTrackingStateConfig;

import java.io.Serializable;
import java.util.Collection;

/**
 * The state metrics of Flink's heap backend, configured as {@code HashMapStateBackend} configures
 * them, and the heap builder that takes them. Flink 2.x: latency and size tracking.
 */
public final class HeapStateMetrics implements Serializable {

    private static final long serialVersionUID = 1L;

    private final LatencyTrackingStateConfig.Builder latencyTracking;
    private final SizeTrackingStateConfig.Builder sizeTracking;

    public HeapStateMetrics() {
        this(LatencyTrackingStateConfig.newBuilder(), SizeTrackingStateConfig.newBuilder());
    }

    private HeapStateMetrics(
            LatencyTrackingStateConfig.Builder latencyTracking,
            SizeTrackingStateConfig.Builder sizeTracking) {
        this.latencyTracking = latencyTracking;
        this.sizeTracking = sizeTracking;
    }

    /** These metrics with the settings of {@code config} applied. */
    public HeapStateMetrics configure(ReadableConfig config) {
        return new HeapStateMetrics(
                latencyTracking.configure(config), sizeTracking.configure(config));
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
                sizeTracking.setMetricGroup(parameters.getMetricGroup()).build(),
                stateHandles,
                compressionDecorator,
                parameters.getEnv().getTaskStateManager().createLocalRecoveryConfig(),
                priorityQueueFactory,
                true,
                parameters.getCancelStreamRegistry());
    }
}
