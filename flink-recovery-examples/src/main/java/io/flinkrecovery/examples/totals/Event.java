package io.flinkrecovery.examples.totals;

/**
 * One input event of the running-totals job. Every event is a pure function of its index ({@link
 * #at}), so any run of the job can be checked against {@link ExpectedTotals} without Flink.
 */
public record Event(int key, long sequence, long amount) {

    /** Amounts are in {@code [1, MAX_AMOUNT]}. */
    static final long MAX_AMOUNT = 1_000;

    /**
     * The event with the given index: its key is spread evenly over {@code [0, numKeys)}, its
     * sequence is the index, and its amount is in {@code [1, 1000]}.
     */
    public static Event at(long index, int numKeys) {
        if (index < 0) {
            throw new IllegalArgumentException("Invalid index: " + index + " (must be ≥ 0)");
        }
        checkNumKeys(numKeys);
        int key = (int) Long.remainderUnsigned(mix(index), numKeys);
        long amount = 1 + Long.remainderUnsigned(mix(~index), MAX_AMOUNT);
        return new Event(key, index, amount);
    }

    static void checkNumKeys(int numKeys) {
        if (numKeys <= 0) {
            throw new IllegalArgumentException("Invalid numKeys: " + numKeys + " (must be > 0)");
        }
    }

    /** The SplitMix64 finalizer: a fixed bijection that scatters consecutive indexes. */
    private static long mix(long value) {
        long z = value + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
