package io.flinkrecovery.examples.totals;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunningTotalsJobTest {

    @Test
    void keepsItsSettingsThroughToBuilder() {
        RunningTotalsJob job =
                RunningTotalsJob.builder("run")
                        .events(30_000)
                        .keys(200)
                        .eventsPerSecond(1_000)
                        .parallelism(2)
                        .failAfterRecords(8_000)
                        .build();

        RunningTotalsJob again = job.toBuilder().noFailure().build();

        assertThat(again.runId()).isEqualTo("run");
        assertThat(again.events()).isEqualTo(30_000);
        assertThat(again.keys()).isEqualTo(200);
        assertThat(again.eventsPerSecond()).isEqualTo(1_000);
        assertThat(again.parallelism()).isEqualTo(2);
        assertThat(again.failAfterRecords()).isEqualTo(-1);
        assertThat(job.failAfterRecords()).isEqualTo(8_000);
        assertThat(job.expected()).isEqualTo(ExpectedTotals.compute(30_000, 200));
    }

    @Test
    void rejectsInvalidSettingsNamingThem() {
        RunningTotalsJob.Builder builder = RunningTotalsJob.builder("run");
        assertThatThrownBy(() -> RunningTotalsJob.builder(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid runId: ' ' (blank)");
        assertThatThrownBy(() -> builder.events(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid events: -1 (must be ≥ 0)");
        assertThatThrownBy(() -> builder.keys(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid keys: 0 (must be > 0)");
        assertThatThrownBy(() -> builder.eventsPerSecond(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Invalid eventsPerSecond: 0.0 (must be finite and > 0; use unthrottled()"
                                + " for no limit)");
        assertThatThrownBy(() -> builder.parallelism(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid parallelism: 0 (must be > 0)");
        assertThatThrownBy(() -> builder.failAfterRecords(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid failAfterRecords: 0 (must be > 0)");
    }

    @Test
    void eventsAndTotalsAreFlinkPojosNotKryo() {
        assertThat(TypeInformation.of(Event.class)).isInstanceOf(PojoTypeInfo.class);
        assertThat(TypeInformation.of(Total.class)).isInstanceOf(PojoTypeInfo.class);
    }

    @Test
    void collectedTotalsKeepTheHighestCountSoReplaysChangeNothing() {
        String runId = "collected-totals-test";
        RunningTotalsJob job = RunningTotalsJob.builder(runId).build();
        job.reset();

        CollectedTotals.offer(runId, new Total(7, 1, 10));
        CollectedTotals.offer(runId, new Total(7, 2, 25));
        CollectedTotals.offer(runId, new Total(7, 1, 10)); // replayed after a restore
        CollectedTotals.offer(runId, new Total(8, 1, 3));

        assertThat(job.results())
                .containsExactly(
                        Map.entry(7, new Total(7, 2, 25)), Map.entry(8, new Total(8, 1, 3)));
        job.reset();
        assertThat(job.results()).isEmpty();
        assertThat(job.hasFailed()).isFalse();
    }
}
