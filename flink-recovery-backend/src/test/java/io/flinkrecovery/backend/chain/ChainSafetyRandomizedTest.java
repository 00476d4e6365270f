package io.flinkrecovery.backend.chain;

import org.apache.flink.util.FileUtils;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The randomized test of the incremental chain under Flink's checkpoint contract (see {@link
 * ChainScenario}). It fails on a registration the JobManager rejects, a file a retained checkpoint
 * references that is gone, a restore that fails, and any state that differs from HashMap's.
 *
 * <p>The build runs {@value #DEFAULT_SEEDS} seeds from a seed derived from the date; the long run
 * is {@code mvn -pl flink-recovery-backend test -Dtest=ChainSafetyRandomizedTest
 * -Dflinkrecovery.chain.seeds=2000}. A failure prints the command that replays its seed.
 */
class ChainSafetyRandomizedTest {

    static final int DEFAULT_SEEDS = 200;
    private static final int STEPS = 600;

    @TempDir Path dir;

    @Test
    void chainsSurviveRetentionNotificationsAndRestores() {
        int seeds = Integer.getInteger("flinkrecovery.chain.seeds", DEFAULT_SEEDS);
        long first =
                Long.getLong(
                        "flinkrecovery.chain.seed",
                        java.time.LocalDate.now().toEpochDay() * 1_000_003L);
        ChainScenario.Stats total = new ChainScenario.Stats();
        long start = System.nanoTime();
        for (long seed = first; seed < first + seeds; seed++) {
            File seedDir = dir.resolve("seed-" + seed).toFile();
            ChainScenario scenario = new ChainScenario(seed, seedDir, STEPS);
            scenario.run();
            total.add(scenario.stats);
            FileUtils.deleteDirectoryQuietly(seedDir);
        }
        System.out.printf(
                "ChainSafetyRandomizedTest: seeds %d..%d passed in %.1f s: %s%n",
                first, first + seeds - 1, (System.nanoTime() - start) / 1e9, total);
        // The runs exercised what they are for.
        assertThat(total.completed).isGreaterThan(seeds * 5);
        assertThat(total.lateNotifications).isPositive();
        assertThat(total.lostNotifications).isPositive();
        assertThat(total.failovers + total.jobs).isPositive();
    }
}
