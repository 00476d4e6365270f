package io.flinkrecovery.it;

import io.flinkrecovery.examples.totals.Event;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The reference result of {@link AllStatesJob}, computed without Flink: each key's summary after
 * each of its events, and its final summary after all events, bucket timers and rules.
 */
final class AllStatesModel {

    /** How many mismatches {@link #mismatches} lists before it only counts the rest. */
    private static final int REPORTED = 20;

    private final SortedMap<Integer, Summary> finals;
    private final Map<Integer, List<Summary>> progress;

    private AllStatesModel(
            SortedMap<Integer, Summary> finals, Map<Integer, List<Summary>> progress) {
        this.finals = finals;
        this.progress = progress;
    }

    static AllStatesModel compute(long events, int keys) {
        KeyModel[] models = new KeyModel[keys];
        for (long index = 0; index < events; index++) {
            Event event = Event.at(index, keys);
            if (models[event.key()] == null) {
                models[event.key()] = new KeyModel(event.key());
            }
            models[event.key()].add(event);
        }
        SortedMap<Integer, Summary> finals = new TreeMap<>();
        Map<Integer, List<Summary>> progress = new TreeMap<>();
        for (KeyModel model : models) {
            if (model != null) {
                finals.put(model.key, model.finalSummary());
                progress.put(model.key, model.progress);
            }
        }
        return new AllStatesModel(finals, progress);
    }

    SortedMap<Integer, Summary> finals() {
        return finals;
    }

    /**
     * Every way {@code results} differ from this reference: replays that emitted another summary,
     * final summaries missing, unexpected or different, and progress summaries that differ from the
     * key's state after that many events. Empty if everything matches.
     */
    List<String> mismatches(AllStatesJob.Results results) {
        List<String> all = new ArrayList<>();
        results.conflicts.forEach(conflict -> all.add("replay differs: " + conflict));
        Set<Integer> keys = new TreeSet<>(finals.keySet());
        keys.addAll(results.finals.keySet());
        for (int key : keys) {
            Summary want = finals.get(key);
            Summary got = results.finals.get(key);
            if (!Objects.equals(want, got)) {
                all.add("final of key " + key + ": expected " + want + " but got " + got);
            }
        }
        results.progress.values().stream()
                .sorted(Comparator.comparingInt(Summary::key).thenComparingLong(Summary::count))
                .forEach(
                        got -> {
                            List<Summary> history = progress.getOrDefault(got.key(), List.of());
                            Summary want =
                                    got.count() >= 1 && got.count() <= history.size()
                                            ? history.get((int) got.count() - 1)
                                            : null;
                            if (!got.equals(want)) {
                                all.add("progress: expected " + want + " but got " + got);
                            }
                        });
        if (all.size() <= REPORTED) {
            return all;
        }
        List<String> reported = new ArrayList<>(all.subList(0, REPORTED));
        reported.add("... and " + (all.size() - REPORTED) + " more");
        return reported;
    }

    /** One key's state, updated as {@link AllStatesJob.AllStates} does. */
    private static final class KeyModel {
        final int key;
        long count;
        long sum;
        long max = Long.MIN_VALUE;
        final Deque<Long> last = new ArrayDeque<>();
        final TreeMap<Integer, Long> subKeys = new TreeMap<>();
        final Set<Long> buckets = new HashSet<>();
        final List<Summary> progress = new ArrayList<>();

        KeyModel(int key) {
            this.key = key;
        }

        void add(Event event) {
            long amount = event.amount();
            count++;
            sum += amount;
            max = Math.max(max, amount);
            last.addLast(amount);
            if (last.size() > AllStatesJob.LAST_K) {
                last.removeFirst();
            }
            int subKey = (int) (amount % AllStatesJob.SUB_KEYS);
            long next = subKeys.getOrDefault(subKey, 0L) + 1;
            if (next == AllStatesJob.SUB_KEY_ROLLOVER) {
                subKeys.remove(subKey);
            } else {
                subKeys.put(subKey, next);
            }
            buckets.add(AllStatesJob.bucketEnd(AllStatesJob.timestamp(event.sequence())));
            progress.add(summary(Summary.Kind.PROGRESS, -1, -1));
        }

        Summary finalSummary() {
            long ruleScore = 0;
            for (int index = 0; index < AllStatesJob.RULES; index++) {
                Rule rule = Rule.at(index);
                ruleScore += rule.weight() * (1 + subKeys.getOrDefault(rule.subKey(), 0L));
            }
            return summary(Summary.Kind.FINAL, buckets.size(), ruleScore);
        }

        private Summary summary(Summary.Kind kind, long closedBuckets, long ruleScore) {
            return new Summary(
                    key,
                    kind,
                    count,
                    sum,
                    max,
                    (double) sum / count,
                    new ArrayList<>(last).toString(),
                    subKeys.toString(),
                    closedBuckets,
                    ruleScore);
        }
    }
}
