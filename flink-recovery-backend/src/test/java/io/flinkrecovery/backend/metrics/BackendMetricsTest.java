package io.flinkrecovery.backend.metrics;

import org.apache.flink.metrics.Gauge;

import io.flinkrecovery.CapturingMetricGroup;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class BackendMetricsTest {

    private final Map<String, Gauge<?>> gauges = new TreeMap<>();
    private final BackendMetrics metrics = new BackendMetrics();

    BackendMetricsTest() {
        metrics.register(new CapturingMetricGroup("op", gauges));
    }

    private Object gauge(String name) {
        Gauge<?> gauge = gauges.get("op.flinkrecovery." + name);
        assertThat(gauge).as("gauge %s among %s", name, gauges.keySet()).isNotNull();
        return gauge.getValue();
    }

    @Test
    void gaugesReadTheNewestCheckpointAndIgnoreOneThatFinishesLate() {
        assertThat(gauge("checkpoint.checkpointId")).isEqualTo(-1L);
        assertThat(gauge("checkpoint.chainDepthMean")).isEqualTo(0.0);

        metrics.checkpointed(new SnapshotFigures(7, 1000, 50, 9000, 9500, 4, 3, 10, 400, 1));
        metrics.checkpointed(new SnapshotFigures(6, 1, 1, 1, 1, 1, 1, 1, 1, 1));

        assertThat(gauge("checkpoint.checkpointId")).isEqualTo(7L);
        assertThat(gauge("checkpoint.uploadedBytes")).isEqualTo(1050L);
        assertThat(gauge("checkpoint.segmentBytes")).isEqualTo(1000L);
        assertThat(gauge("checkpoint.manifestBytes")).isEqualTo(50L);
        assertThat(gauge("checkpoint.reusedBytes")).isEqualTo(9000L);
        assertThat(gauge("checkpoint.chainBytes")).isEqualTo(9500L);
        assertThat(gauge("checkpoint.keyGroups")).isEqualTo(4L);
        assertThat(gauge("checkpoint.chainDepthMax")).isEqualTo(3L);
        assertThat(gauge("checkpoint.chainDepthMean")).isEqualTo(2.5);
        assertThat(gauge("checkpoint.compactedBytes")).isEqualTo(400L);
        assertThat(gauge("checkpoint.compactedKeyGroups")).isEqualTo(1L);
    }

    @Test
    void restoreGaugesStayAtMinusOneUnlessRestoredFromOurs() {
        assertThat(gauge("restore.checkpointId")).isEqualTo(-1L);
        assertThat(gauge("restore.readBytes")).isEqualTo(0L);
        assertThat(gauge("restore.fromLocalCopy")).isEqualTo(0L);

        assertThat(gauge("restore.appliedMs")).isEqualTo(-1L);
        metrics.restored(new RestoreFigures(12, 840, 5_000_000, 4_900_000, true, 0));

        assertThat(gauge("restore.checkpointId")).isEqualTo(12L);
        assertThat(gauge("restore.durationMs")).isEqualTo(840L);
        assertThat(gauge("restore.readBytes")).isEqualTo(5_000_000L);
        assertThat(gauge("restore.blockBytes")).isEqualTo(4_900_000L);
        assertThat(gauge("restore.fromLocalCopy")).isEqualTo(1L);
        assertThat(gauge("restore.deferredKeyGroups")).isEqualTo(0L);
        assertThat(gauge("restore.appliedMs")).as("nothing deferred").isEqualTo(840L);
        assertThat(gauges).hasSize(18);
    }

    @Test
    void appliedMsWaitsForTheDeferredKeyGroups() {
        metrics.restored(new RestoreFigures(12, 200, 5_000_000, 4_900_000, false, 64));
        assertThat(gauge("restore.deferredKeyGroups")).isEqualTo(64L);
        assertThat(gauge("restore.appliedMs")).isEqualTo(-1L);

        metrics.restoreApplied(650);

        assertThat(gauge("restore.durationMs")).isEqualTo(200L);
        assertThat(gauge("restore.appliedMs")).isEqualTo(650L);
    }
}
