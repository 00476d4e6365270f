package io.flinkrecovery;

import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

import java.util.Map;

/** A metric group that records its gauges under their dotted names. */
public final class CapturingMetricGroup extends UnregisteredMetricsGroup {
    private final String name;
    private final Map<String, Gauge<?>> gauges;

    public CapturingMetricGroup(String name, Map<String, Gauge<?>> gauges) {
        this.name = name;
        this.gauges = gauges;
    }

    @Override
    public MetricGroup addGroup(String child) {
        return new CapturingMetricGroup(name + "." + child, gauges);
    }

    @Override
    public <T, G extends Gauge<T>> G gauge(String metric, G gauge) {
        gauges.put(name + "." + metric, gauge);
        return gauge;
    }
}
