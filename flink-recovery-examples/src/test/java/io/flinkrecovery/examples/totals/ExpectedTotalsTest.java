package io.flinkrecovery.examples.totals;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExpectedTotalsTest {

    @Test
    void equalsABruteForceSumPerKey() {
        int numKeys = 13;
        long numEvents = 2_000;
        SortedMap<Integer, Total> expected = ExpectedTotals.compute(numEvents, numKeys);

        Map<Integer, Total> bruteForce = new TreeMap<>();
        for (int key = 0; key < numKeys; key++) {
            long count = 0;
            long sum = 0;
            for (long index = 0; index < numEvents; index++) {
                Event event = Event.at(index, numKeys);
                if (event.key() == key) {
                    count++;
                    sum += event.amount();
                }
            }
            if (count > 0) {
                bruteForce.put(key, new Total(key, count, sum));
            }
        }
        assertThat(expected).isEqualTo(bruteForce);
        assertThat(expected.values().stream().mapToLong(Total::count).sum()).isEqualTo(numEvents);
    }

    @Test
    void leavesOutKeysWithoutEvents() {
        assertThat(ExpectedTotals.compute(0, 5)).isEmpty();
        assertThat(ExpectedTotals.compute(3, 1_000)).hasSizeLessThanOrEqualTo(3);
    }

    @Test
    void rejectsANegativeNumberOfEvents() {
        assertThatThrownBy(() -> ExpectedTotals.compute(-5, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid numEvents: -5 (must be ≥ 0)");
    }

    @Test
    void findsNoMismatchInTheExpectedTotalsThemselves() {
        SortedMap<Integer, Total> expected = ExpectedTotals.compute(1_000, 20);

        SortedMap<Integer, String> mismatches = ExpectedTotals.mismatches(expected, expected);

        assertThat(mismatches).isEmpty();
        assertThat(ExpectedTotals.report(mismatches, expected.size()))
                .isEqualTo("all 20 keys have their expected totals");
    }

    @Test
    void namesEveryMismatchingKey() {
        Map<Integer, Total> expected = Map.of(1, new Total(1, 3, 30), 2, new Total(2, 1, 5));
        Map<Integer, Total> actual = new TreeMap<>(expected);
        actual.put(1, new Total(1, 4, 37)); // a doubled update
        actual.remove(2); // a lost key
        actual.put(9, new Total(9, 1, 1)); // a key that should not exist

        SortedMap<Integer, String> mismatches = ExpectedTotals.mismatches(expected, actual);

        assertThat(mismatches).containsOnlyKeys(1, 2, 9);
        assertThat(mismatches.get(1))
                .isEqualTo("key 1: expected count=3 total=30 but got count=4 total=37");
        assertThat(mismatches.get(2)).isEqualTo("key 2: missing, expected count=1 total=5");
        assertThat(mismatches.get(9)).isEqualTo("key 9: unexpected, got count=1 total=1");
        assertThat(ExpectedTotals.report(mismatches, 2))
                .startsWith("3 keys differ from the 2 expected totals:")
                .contains("key 1: expected", "key 2: missing", "key 9: unexpected");
    }

    @Test
    void reportListsTheFirstMismatchesAndCountsTheRest() {
        SortedMap<Integer, Total> expected = ExpectedTotals.compute(5_000, 50);

        String report = ExpectedTotals.report(ExpectedTotals.mismatches(expected, Map.of()), 50);

        assertThat(report)
                .startsWith("50 keys differ from the 50 expected totals:")
                .contains("key 0: missing", "key 9: missing")
                .doesNotContain("key 10:")
                .endsWith("... and 40 more");
    }
}
