package io.flinkrecovery.it.cluster;

import io.flinkrecovery.it.AllStatesClusterJob;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The soak: seeded random schedules of TaskManager kills, JobManager kills and S3 faults on one
 * cluster of real processes, each a job whose results must equal {@code AllStatesModel}'s. {@code
 * -Dsoak.schedules=N} (2 by default, as CI runs it) and {@code -Dsoak.seed=S} (1 by default);
 * schedule {@code i} has seed {@code S + i - 1}, printed before it runs, so that {@code bin/soak
 * --schedules 1 --seed <that seed>} replays it.
 */
class SoakITCase {

    @RegisterExtension
    static final HaCluster CLUSTER = new HaCluster(2, 1, SoakRunner.CLUSTER_CONFIG);

    @Test
    void everyScheduleEndsWithExactResults() throws Exception {
        int schedules = Integer.getInteger("soak.schedules", 2);
        long seed = Long.getLong("soak.seed", 1);
        Path jobJar = CLUSTER.runDir().resolve("job/all-states.jar");
        JobJar.write(jobJar, AllStatesClusterJob.class, AllStatesClusterJob.jobClasses());
        SoakRunner runner = new SoakRunner(CLUSTER, jobJar);

        Instant start = Instant.now();
        List<SoakRunner.Result> results = new ArrayList<>();
        for (int i = 1; i <= schedules; i++) {
            SoakSchedule schedule = SoakSchedule.random(seed + i - 1);
            System.out.printf("Schedule %d/%d, %s%n", i, schedules, schedule);
            SoakRunner.Result result = runner.run(schedule, "soak-" + i);
            System.out.printf("Schedule %d/%d, %s%n", i, schedules, result);
            if (!result.exact()) {
                System.out.println("Logs of the run: " + CLUSTER.runDir());
            }
            results.add(result);
        }
        long exact = results.stream().filter(SoakRunner.Result::exact).count();
        System.out.printf(
                Locale.ROOT,
                "Soak: %d/%d schedules exact in %.1f min (seeds %d to %d; bin/soak --schedules 1"
                        + " --seed <seed> replays one)%n",
                exact,
                schedules,
                Duration.between(start, Instant.now()).toMillis() / 60_000.0,
                seed,
                seed + schedules - 1);

        assertThat(results).as("schedules").allMatch(SoakRunner.Result::exact);
    }
}
