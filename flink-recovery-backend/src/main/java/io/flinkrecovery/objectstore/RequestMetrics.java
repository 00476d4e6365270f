package io.flinkrecovery.objectstore;

import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

import java.util.Locale;

/**
 * Exposes {@link RequestCounters} as Flink metrics: {@code
 * <group>.flinkrecovery.s3.requests.<kind>} for every {@link RequestKind}, plus {@code bytesIn},
 * {@code bytesOut}, {@code throttled} and {@code retried}. The counters are per process, so every
 * group that registers them shows the same totals.
 */
public final class RequestMetrics {

    public static final String GROUP = "flinkrecovery";
    public static final String S3_GROUP = "s3";

    private RequestMetrics() {}

    public static void register(MetricGroup parent, RequestCounters counters) {
        MetricGroup s3 = parent.addGroup(GROUP).addGroup(S3_GROUP);
        MetricGroup requests = s3.addGroup("requests");
        for (RequestKind kind : RequestKind.values()) {
            requests.gauge(
                    kind.name().toLowerCase(Locale.ROOT),
                    (Gauge<Long>) () -> counters.requests(kind));
        }
        s3.gauge("bytesIn", (Gauge<Long>) counters::bytesIn);
        s3.gauge("bytesOut", (Gauge<Long>) counters::bytesOut);
        s3.gauge("throttled", (Gauge<Long>) counters::throttled);
        s3.gauge("retried", (Gauge<Long>) counters::retried);
    }
}
