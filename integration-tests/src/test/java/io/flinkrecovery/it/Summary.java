package io.flinkrecovery.it;

/**
 * What {@link AllStatesJob} emits for one key: its state after {@code count} events. A {@code
 * PROGRESS} summary comes from a processing-time timer and leaves the timer- and broadcast-driven
 * fields at -1; the {@code FINAL} one comes from the event-time timer at the end of input.
 */
public record Summary(
        int key,
        Summary.Kind kind,
        long count,
        long sum,
        long max,
        double average,
        String lastAmounts,
        String subKeyCounts,
        long closedBuckets,
        long ruleScore) {

    /** Which timer emitted the summary. */
    public enum Kind {
        PROGRESS,
        FINAL
    }
}
