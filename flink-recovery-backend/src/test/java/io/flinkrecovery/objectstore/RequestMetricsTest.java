package io.flinkrecovery.objectstore;

import org.apache.flink.metrics.Gauge;

import io.flinkrecovery.CapturingMetricGroup;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class RequestMetricsTest {

    @Test
    void registersAGaugePerKindThatReadsTheLiveCounters() {
        Map<String, Gauge<?>> gauges = new TreeMap<>();
        RequestCounters counters = new RequestCounters();
        RequestMetrics.register(new CapturingMetricGroup("task", gauges), counters);

        counters.countRequest(RequestKind.PUT);
        counters.countRequest(RequestKind.PUT);
        counters.countRequest(RequestKind.GET);
        counters.countBytesOut(100);
        counters.countThrottled();
        counters.countRetried();

        assertThat(gauges)
                .containsKeys(
                        "task.flinkrecovery.s3.requests.put",
                        "task.flinkrecovery.s3.requests.multipart_part",
                        "task.flinkrecovery.s3.requests.delete",
                        "task.flinkrecovery.s3.bytesIn");
        assertThat(gauges).hasSize(RequestKind.values().length + 4);
        assertThat(gauges.get("task.flinkrecovery.s3.requests.put").getValue()).isEqualTo(2L);
        assertThat(gauges.get("task.flinkrecovery.s3.requests.get").getValue()).isEqualTo(1L);
        assertThat(gauges.get("task.flinkrecovery.s3.bytesOut").getValue()).isEqualTo(100L);
        assertThat(gauges.get("task.flinkrecovery.s3.throttled").getValue()).isEqualTo(1L);
        assertThat(gauges.get("task.flinkrecovery.s3.retried").getValue()).isEqualTo(1L);
    }

    @Test
    void snapshotDifferencesCountOnlyWhatHappenedBetween() {
        RequestCounters counters = new RequestCounters();
        counters.countRequest(RequestKind.HEAD);
        RequestCounters.Snapshot before = counters.snapshot();
        counters.countRequest(RequestKind.HEAD);
        counters.countRequest(RequestKind.LIST);
        counters.countBytesIn(5);

        RequestCounters.Snapshot delta = counters.snapshot().minus(before);
        assertThat(delta.requests(RequestKind.HEAD)).isEqualTo(1);
        assertThat(delta.requests(RequestKind.LIST)).isEqualTo(1);
        assertThat(delta.bytesIn()).isEqualTo(5);
        assertThat(delta.toString())
                .isEqualTo("HEAD=1 LIST=1 bytesOut=0 bytesIn=5 throttled=0 retried=0");
    }
}
