package io.flinkrecovery.examples.totals;

/**
 * The running total of one key after {@code count} events: what the job emits for every event. With
 * exactly-once state, the last total of a key equals its {@link ExpectedTotals} entry.
 */
public record Total(int key, long count, long total) {

    @Override
    public String toString() {
        return "Total{key=" + key + ", count=" + count + ", total=" + total + "}";
    }
}
