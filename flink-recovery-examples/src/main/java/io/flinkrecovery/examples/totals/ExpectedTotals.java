package io.flinkrecovery.examples.totals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** The reference result, computed without Flink, and the comparison with what a job produced. */
public final class ExpectedTotals {

    private ExpectedTotals() {}

    /** The final total of every key after the first {@code numEvents} events. */
    public static Map<Integer, Total> compute(long numEvents, int numKeys) {
        Map<Integer, Total> totals = new TreeMap<>();
        for (long i = 0; i < numEvents; i++) {
            Event event = Event.at(i, numKeys);
            Total total = totals.computeIfAbsent(event.key, k -> new Total(k, 0, 0));
            total.count++;
            total.sum += event.amount;
        }
        return totals;
    }

    /** One line per key whose actual total differs from the expected one; empty if all match. */
    public static List<String> mismatches(
            Map<Integer, Total> expected, Map<Integer, Total> actual) {
        List<String> problems = new ArrayList<>();
        TreeSet<Integer> keys = new TreeSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        for (int key : keys) {
            Total want = expected.get(key);
            Total got = actual.get(key);
            if (want == null || !want.equals(got)) {
                problems.add("key " + key + ": expected " + want + " but got " + got);
            }
        }
        return problems;
    }
}
