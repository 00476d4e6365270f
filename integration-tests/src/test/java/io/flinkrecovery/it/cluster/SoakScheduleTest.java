package io.flinkrecovery.it.cluster;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Set;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

class SoakScheduleTest {

    @Test
    void theSeedDeterminesTheSchedule() {
        assertThat(SoakSchedule.random(1001)).isEqualTo(SoakSchedule.random(1001));
        assertThat(SoakSchedule.random(1001).toString())
                .isEqualTo(SoakSchedule.random(1001).toString())
                .startsWith("seed 1001: a job of ");
        assertThat(SoakSchedule.random(1001)).isNotEqualTo(SoakSchedule.random(1002));
    }

    @Test
    void everyStepComesWhileTheJobRunsAndEveryKindOccurs() {
        Set<SoakSchedule.Kind> kinds = EnumSet.noneOf(SoakSchedule.Kind.class);
        LongStream.range(0, 200)
                .mapToObj(SoakSchedule::random)
                .forEach(
                        schedule -> {
                            assertThat(schedule.steps()).hasSizeBetween(2, 3);
                            int previous = 0;
                            for (SoakSchedule.Step step : schedule.steps()) {
                                assertThat(step.afterCheckpoint())
                                        .isGreaterThanOrEqualTo(previous + 3)
                                        .isLessThanOrEqualTo(schedule.checkpoints() - 2);
                                previous = step.afterCheckpoint();
                                kinds.add(step.kind());
                            }
                        });

        assertThat(kinds).containsExactlyInAnyOrder(SoakSchedule.Kind.values());
    }
}
