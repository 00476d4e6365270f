package io.flinkrecovery.it.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * One random schedule of the soak, fully determined by its seed: how long the job runs (in
 * completed checkpoints) and which failures hit it after which checkpoint. Printing a schedule and
 * its seed is enough to replay it.
 */
record SoakSchedule(long seed, int checkpoints, List<Step> steps) {

    /** What happens to the cluster at one step. */
    enum Kind {
        KILL_TASK_MANAGER,
        KILL_JOB_MANAGER,
        /** 5% of requests fail: 2% 503 SlowDown, 2% connection reset, 1% read timeout. */
        S3_FAILURES,
        S3_UNREACHABLE,
        S3_LATENCY
    }

    /**
     * Once the job completed the checkpoint with id {@code afterCheckpoint}, {@code kind} hits it;
     * an S3 fault lasts {@code duration}. {@code latency} is that of {@link Kind#S3_LATENCY}.
     */
    record Step(int afterCheckpoint, Kind kind, Duration duration, Duration latency) {

        boolean isS3Fault() {
            return kind == Kind.S3_FAILURES
                    || kind == Kind.S3_UNREACHABLE
                    || kind == Kind.S3_LATENCY;
        }

        @Override
        public String toString() {
            String what;
            switch (kind) {
                case KILL_TASK_MANAGER:
                    what = "kill -9 the TaskManager (a new one starts)";
                    break;
                case KILL_JOB_MANAGER:
                    what = "kill -9 the leading JobManager (a new standby starts)";
                    break;
                case S3_FAILURES:
                    what = "5% of S3 requests fail for " + duration.toSeconds() + " s";
                    break;
                case S3_UNREACHABLE:
                    what = "S3 unreachable for " + duration.toSeconds() + " s";
                    break;
                case S3_LATENCY:
                    what =
                            "S3 requests take "
                                    + latency.toMillis()
                                    + " ms longer for "
                                    + duration.toSeconds()
                                    + " s";
                    break;
                default:
                    throw new IllegalStateException("Unknown kind " + kind);
            }
            return "after checkpoint " + afterCheckpoint + ": " + what;
        }
    }

    private static final int MIN_CHECKPOINTS = 12;
    private static final int MAX_CHECKPOINTS = 20;
    private static final int FIRST_STEP_AFTER = 3;
    private static final int CHECKPOINTS_BETWEEN_STEPS = 3;

    /** The schedule of {@code seed}: a job of 12 to 20 checkpoints and 2 or 3 steps. */
    static SoakSchedule random(long seed) {
        Random random = new Random(seed);
        int checkpoints = MIN_CHECKPOINTS + random.nextInt(MAX_CHECKPOINTS - MIN_CHECKPOINTS + 1);
        int stepCount = 2 + random.nextInt(2);
        List<Step> steps = new ArrayList<>();
        int after = FIRST_STEP_AFTER + random.nextInt(2);
        Kind[] kinds = Kind.values();
        for (int i = 0; i < stepCount && after <= checkpoints - 2; i++) {
            Kind kind = kinds[random.nextInt(kinds.length)];
            Duration duration = Duration.ofSeconds(5 + random.nextInt(11));
            Duration latency = Duration.ofMillis(200 + 100 * random.nextInt(7));
            steps.add(new Step(after, kind, duration, latency));
            after += CHECKPOINTS_BETWEEN_STEPS + random.nextInt(3);
        }
        return new SoakSchedule(seed, checkpoints, List.copyOf(steps));
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "seed %d: a job of %d checkpoints; %s",
                seed,
                checkpoints,
                steps.stream().map(Step::toString).collect(Collectors.joining("; ")));
    }
}
