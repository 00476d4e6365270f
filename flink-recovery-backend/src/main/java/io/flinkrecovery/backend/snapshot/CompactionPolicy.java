package io.flinkrecovery.backend.snapshot;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;

/**
 * Picks the key groups whose base a checkpoint rewrites. A key group must be rewritten when one
 * more delta would exceed {@code maxDeltas}, or when its chain would keep more than {@code
 * maxAmplification} bytes per live byte.
 *
 * <p>So that key groups do not all reach a bound in the same checkpoint (RocksDB's periodic
 * full-size uploads), every checkpoint earns a rewrite budget proportional to the rate at which the
 * bounds are being used up: live bytes of the changed key groups over {@code maxDeltas}, and
 * changed bytes over {@code maxAmplification - 1}. Every {@code rewriteInterval}-th checkpoint
 * spends the budget earned since on the key groups closest to a bound. The checkpoints in between
 * upload only their deltas; a spending checkpoint rewrites about {@code rewriteInterval}
 * checkpoints' share of the state, never all of it. In the long run every checkpoint uploads on
 * average its changes plus about {@code changes / (maxAmplification - 1)} of rewrites when churn is
 * what fills the chains.
 *
 * <p>Task thread only: the budget carries over between checkpoints.
 */
public final class CompactionPolicy {

    private final int maxDeltas;
    private final double maxAmplification;
    private final int rewriteInterval;
    private double credit;
    private int checkpointsSinceSpending;

    public CompactionPolicy(int maxDeltas, double maxAmplification, int rewriteInterval) {
        this.maxDeltas = maxDeltas;
        this.maxAmplification = maxAmplification;
        this.rewriteInterval = rewriteInterval;
    }

    /** One changed key group that already has a chain. */
    public static final class Candidate {
        final int index;
        final int deltas;
        final double keptBytes;
        final double liveBytes;
        final double deltaBytes;

        /**
         * @param index caller's index of the key group
         * @param deltas deltas in its chain now
         * @param keptBytes bytes of its chain now
         * @param liveBytes estimated bytes of a fresh base
         * @param deltaBytes estimated bytes of the delta this checkpoint would append
         */
        public Candidate(
                int index, int deltas, double keptBytes, double liveBytes, double deltaBytes) {
            this.index = index;
            this.deltas = deltas;
            this.keptBytes = keptBytes;
            this.liveBytes = liveBytes;
            this.deltaBytes = deltaBytes;
        }

        double amplificationAfterDelta() {
            return liveBytes <= 0 ? Double.POSITIVE_INFINITY : (keptBytes + deltaBytes) / liveBytes;
        }
    }

    /** The indexes of the candidates to rewrite as bases in this checkpoint. */
    public BitSet select(List<Candidate> candidates) {
        BitSet rewrite = new BitSet();
        if (candidates.isEmpty()) {
            return rewrite;
        }
        double liveOfChanged = 0;
        double changed = 0;
        double largest = 0;
        for (Candidate c : candidates) {
            liveOfChanged += c.liveBytes;
            changed += c.deltaBytes;
            largest = Math.max(largest, c.liveBytes);
        }
        double accrual = Math.max(liveOfChanged / maxDeltas, changed / (maxAmplification - 1));
        // Never more than one interval's earnings plus one key group: no hoarding for a spike.
        double cap = rewriteInterval * accrual + largest;
        credit = Math.min(credit + accrual, cap);

        List<Candidate> optional = new ArrayList<>();
        for (Candidate c : candidates) {
            if (mustRewrite(c)) {
                rewrite.set(c.index);
                credit -= c.liveBytes;
            } else {
                optional.add(c);
            }
        }
        credit = Math.max(credit, -cap);
        if (++checkpointsSinceSpending < rewriteInterval) {
            return rewrite;
        }
        checkpointsSinceSpending = 0;
        optional.sort(Comparator.comparingDouble(this::pressure).reversed());
        for (Candidate c : optional) {
            if (c.liveBytes <= credit) {
                rewrite.set(c.index);
                credit -= c.liveBytes;
            }
        }
        return rewrite;
    }

    boolean mustRewrite(Candidate c) {
        return c.deltas + 1 > maxDeltas || c.amplificationAfterDelta() > maxAmplification;
    }

    /** How close a key group would be to its nearest bound after this checkpoint, 0..1. */
    double pressure(Candidate c) {
        double byDeltas = (c.deltas + 1) / (double) maxDeltas;
        double byAmplification = (c.amplificationAfterDelta() - 1) / (maxAmplification - 1);
        return Math.max(byDeltas, byAmplification);
    }
}
