package io.flinkrecovery.backend.snapshot;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the policy over hundreds of checkpoints of a model of key group chains: the long-run upload
 * per checkpoint, and that no checkpoint rewrites a large share of the state at once.
 */
class CompactionPolicyTest {

    private static final int KEY_GROUPS = 64;
    private static final double LIVE = 1_000_000;

    /** Chains of {@link #KEY_GROUPS} equal key groups, all fresh bases at the start. */
    private static final class Model {
        final double[] kept = new double[KEY_GROUPS];
        final int[] deltas = new int[KEY_GROUPS];
        final List<Double> uploads = new ArrayList<>();
        final List<Double> changes = new ArrayList<>();
        int maxDeltasSeen;
        double maxAmplificationSeen;

        Model() {
            Arrays.fill(kept, LIVE);
        }

        /** One checkpoint in which key group {@code i} changed {@code churn[i]} of its bytes. */
        void checkpoint(CompactionPolicy policy, double[] churn) {
            List<CompactionPolicy.Candidate> candidates = new ArrayList<>();
            double changed = 0;
            for (int i = 0; i < KEY_GROUPS; i++) {
                if (churn[i] > 0) {
                    candidates.add(
                            new CompactionPolicy.Candidate(
                                    i, deltas[i], kept[i], LIVE, churn[i] * LIVE));
                    changed += churn[i] * LIVE;
                }
            }
            BitSet rewrite = policy.select(candidates);
            double upload = 0;
            for (int i = 0; i < KEY_GROUPS; i++) {
                if (rewrite.get(i)) {
                    kept[i] = LIVE;
                    deltas[i] = 0;
                    upload += LIVE;
                } else if (churn[i] > 0) {
                    kept[i] += churn[i] * LIVE;
                    deltas[i]++;
                    upload += churn[i] * LIVE;
                }
                maxDeltasSeen = Math.max(maxDeltasSeen, deltas[i]);
                maxAmplificationSeen = Math.max(maxAmplificationSeen, kept[i] / LIVE);
            }
            uploads.add(upload);
            changes.add(changed);
        }

        double median() {
            double[] ratios = ratios();
            Arrays.sort(ratios);
            return ratios[ratios.length / 2];
        }

        double mean() {
            return uploads.stream().mapToDouble(Double::doubleValue).sum()
                    / changes.stream().mapToDouble(Double::doubleValue).sum();
        }

        double largestShareOfState() {
            return uploads.stream().mapToDouble(Double::doubleValue).max().orElse(0)
                    / (KEY_GROUPS * LIVE);
        }

        private double[] ratios() {
            double[] ratios = new double[uploads.size()];
            for (int i = 0; i < ratios.length; i++) {
                ratios[i] = uploads.get(i) / changes.get(i);
            }
            return ratios;
        }
    }

    private static double[] uniform(double churn) {
        double[] all = new double[KEY_GROUPS];
        Arrays.fill(all, churn);
        return all;
    }

    @Test
    void uniformChurnUploadsLittleMoreThanItsChangesAndNeverASpike() {
        CompactionPolicy policy = new CompactionPolicy(100, 2.0, 4);
        Model model = new Model();
        for (int checkpoint = 0; checkpoint < 1000; checkpoint++) {
            model.checkpoint(policy, uniform(0.01));
        }
        assertThat(model.maxDeltasSeen).isLessThanOrEqualTo(100);
        assertThat(model.maxAmplificationSeen).isLessThanOrEqualTo(2.0);
        // Rewrites come every 4th checkpoint, so most checkpoints upload only their changes ...
        assertThat(model.median()).isEqualTo(1.0);
        // ... and garbage is reclaimed at the rate churn makes it: 1 / (2.0 - 1) on top.
        assertThat(model.mean()).isBetween(1.9, 2.3);
        // No checkpoint rewrites more than a few intervals' share of the state.
        assertThat(model.largestShareOfState()).isLessThan(0.08);
    }

    @Test
    void rewritingInEveryCheckpointSpreadsTheSameWorkEvenly() {
        CompactionPolicy policy = new CompactionPolicy(100, 2.0, 1);
        Model model = new Model();
        for (int checkpoint = 0; checkpoint < 1000; checkpoint++) {
            model.checkpoint(policy, uniform(0.01));
        }
        assertThat(model.maxAmplificationSeen).isLessThanOrEqualTo(2.0);
        assertThat(model.mean()).isBetween(1.9, 2.3);
        assertThat(model.largestShareOfState()).isLessThan(0.04);
    }

    @Test
    void lowChurnIsBoundedByTheNumberOfDeltas() {
        CompactionPolicy policy = new CompactionPolicy(20, 2.0, 4);
        Model model = new Model();
        for (int checkpoint = 0; checkpoint < 500; checkpoint++) {
            model.checkpoint(policy, uniform(0.001));
        }
        assertThat(model.maxDeltasSeen).isBetween(15, 20);
        // Each key group is rewritten about every 20 checkpoints, spread out.
        assertThat(model.largestShareOfState()).isLessThan(0.25);
        assertThat(model.maxAmplificationSeen).isLessThan(1.03);
    }

    @Test
    void hotKeyGroupsAreRewrittenWithoutRewritingColdOnes() {
        CompactionPolicy policy = new CompactionPolicy(100, 2.0, 4);
        Model model = new Model();
        SplittableRandom random = new SplittableRandom(7);
        for (int checkpoint = 0; checkpoint < 1000; checkpoint++) {
            double[] churn = new double[KEY_GROUPS];
            for (int i = 0; i < 4; i++) {
                churn[i] = 0.2; // hot: a fifth of their keys every checkpoint
            }
            churn[4 + random.nextInt(KEY_GROUPS - 4)] = 0.01;
            model.checkpoint(policy, churn);
        }
        assertThat(model.maxAmplificationSeen).isLessThanOrEqualTo(2.0);
        assertThat(model.mean()).isLessThan(3.0);
    }
}
