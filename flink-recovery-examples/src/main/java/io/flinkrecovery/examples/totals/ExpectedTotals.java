package io.flinkrecovery.examples.totals;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The reference result of {@link RunningTotalsJob}, computed without Flink, and its comparison with
 * what a run produced.
 */
public final class ExpectedTotals {

    /** How many mismatching keys {@link #report} lists before it only counts the rest. */
    static final int REPORTED_KEYS = 10;

    private ExpectedTotals() {}

    /**
     * The final total of every key after events {@code 0 .. numEvents-1}, sorted by key. Keys that
     * received no event have no entry.
     */
    public static SortedMap<Integer, Total> compute(long numEvents, int numKeys) {
        if (numEvents < 0) {
            throw new IllegalArgumentException(
                    "Invalid numEvents: " + numEvents + " (must be ≥ 0)");
        }
        Event.checkNumKeys(numKeys);
        long[] counts = new long[numKeys];
        long[] sums = new long[numKeys];
        for (long index = 0; index < numEvents; index++) {
            Event event = Event.at(index, numKeys);
            counts[event.key()]++;
            sums[event.key()] += event.amount();
        }
        SortedMap<Integer, Total> totals = new TreeMap<>();
        for (int key = 0; key < numKeys; key++) {
            if (counts[key] > 0) {
                totals.put(key, new Total(key, counts[key], sums[key]));
            }
        }
        return Collections.unmodifiableSortedMap(totals);
    }

    /**
     * The keys whose actual total differs from the expected one (missing, unexpected, or another
     * count or total), each with a line that says how; empty if everything matches.
     */
    public static SortedMap<Integer, String> mismatches(
            Map<Integer, Total> expected, Map<Integer, Total> actual) {
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(actual, "actual");
        TreeSet<Integer> keys = new TreeSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        SortedMap<Integer, String> mismatches = new TreeMap<>();
        for (int key : keys) {
            Total want = expected.get(key);
            Total got = actual.get(key);
            if (!Objects.equals(want, got)) {
                mismatches.put(key, describe(key, want, got));
            }
        }
        return Collections.unmodifiableSortedMap(mismatches);
    }

    /**
     * A readable report of {@link #mismatches}: one line if there are none, otherwise the first
     * mismatching keys one a line, then how many more there are.
     */
    public static String report(Map<Integer, String> mismatches, int expectedKeys) {
        if (mismatches.isEmpty()) {
            return "all " + expectedKeys + " keys have their expected totals";
        }
        StringBuilder out =
                new StringBuilder()
                        .append(mismatches.size())
                        .append(" keys differ from the ")
                        .append(expectedKeys)
                        .append(" expected totals:");
        mismatches.values().stream()
                .limit(REPORTED_KEYS)
                .forEach(line -> out.append(System.lineSeparator()).append("  ").append(line));
        if (mismatches.size() > REPORTED_KEYS) {
            out.append(System.lineSeparator())
                    .append("  ... and ")
                    .append(mismatches.size() - REPORTED_KEYS)
                    .append(" more");
        }
        return out.toString();
    }

    private static String describe(int key, Total want, Total got) {
        if (got == null) {
            return "key " + key + ": missing, expected " + counts(want);
        }
        if (want == null) {
            return "key " + key + ": unexpected, got " + counts(got);
        }
        return "key " + key + ": expected " + counts(want) + " but got " + counts(got);
    }

    private static String counts(Total total) {
        return "count=" + total.count() + " total=" + total.total();
    }
}
