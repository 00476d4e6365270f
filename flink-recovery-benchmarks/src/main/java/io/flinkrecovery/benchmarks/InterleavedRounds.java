package io.flinkrecovery.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Timed rounds of several backends in an order that keeps their comparison fair: the two heap
 * backends alternate which goes first, and RocksDB's and ForSt's rounds come after all of theirs.
 * The round right after a RocksDB round runs markedly slower (in one run 1.06 M writes/s on average
 * against 1.40 M/s elsewhere), and a rotation of three backends over five rounds put ours there
 * four times out of five. Every backend has one warm-up round first, and a {@code System.gc()}
 * precedes every round.
 */
final class InterleavedRounds {

    private static final List<List<Backend>> PHASES =
            List.of(
                    List.of(Backend.INCREMENTAL_HEAP, Backend.HASHMAP),
                    List.of(
                            Backend.ROCKSDB_INCREMENTAL,
                            Backend.FORST_LOCAL,
                            Backend.FORST_REMOTE));

    /** One timed round of one backend. */
    @FunctionalInterface
    interface Round {
        /** Runs the round and returns its rate (operations per second). */
        double run(Backend backend) throws Exception;
    }

    /** Told of each round's rate; {@code round} is 0 for the warm-up. */
    @FunctionalInterface
    interface Listener {
        void finished(Backend backend, int round, double rate);
    }

    private InterleavedRounds() {}

    /** The rates of each of {@code backends}' {@code rounds} rounds, warm-up excluded. */
    static Map<Backend, List<Double>> run(
            Collection<Backend> backends, int rounds, Round round, Listener listener)
            throws Exception {
        Map<Backend, List<Double>> rates = new EnumMap<>(Backend.class);
        for (List<Backend> all : PHASES) {
            List<Backend> phase = new ArrayList<>(all);
            phase.retainAll(backends);
            for (int r = 0; r <= rounds; r++) {
                for (int i = 0; i < phase.size(); i++) {
                    Backend backend = phase.get((i + r) % phase.size());
                    System.gc();
                    double rate = round.run(backend);
                    listener.finished(backend, r, rate);
                    if (r > 0) {
                        rates.computeIfAbsent(backend, b -> new ArrayList<>()).add(rate);
                    }
                }
            }
        }
        return rates;
    }

    /**
     * A table of each backend's median, min and max rate and its median over HashMap's, with a note
     * on ours over HashMap within each round (free of what changes between rounds).
     */
    static Table table(String title, Map<Backend, List<Double>> rates) {
        Table table = new Table(title, "backend", "median", "min", "max", "median vs HashMap");
        double hashMap = Stats.median(rates.get(Backend.HASHMAP));
        for (Map.Entry<Backend, List<Double>> entry : rates.entrySet()) {
            List<Double> values = entry.getValue();
            table.row(
                    entry.getKey().label(),
                    Stats.rate(Stats.median(values)),
                    Stats.rate(Stats.min(values)),
                    Stats.rate(Stats.max(values)),
                    Stats.ratio(Stats.median(values) / hashMap));
        }
        List<Double> ours = rates.get(Backend.INCREMENTAL_HEAP);
        List<Double> paired = new ArrayList<>();
        for (int i = 0; i < ours.size(); i++) {
            paired.add(ours.get(i) / rates.get(Backend.HASHMAP).get(i));
        }
        table.note(
                "ours / HashMap within each round: median %s (min %s, max %s)",
                Stats.ratio(Stats.median(paired)),
                Stats.ratio(Stats.min(paired)),
                Stats.ratio(Stats.max(paired)));
        return table;
    }
}
