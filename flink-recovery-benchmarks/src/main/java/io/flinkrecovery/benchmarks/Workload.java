package io.flinkrecovery.benchmarks;

import java.io.Serializable;

/**
 * What the benchmark job keeps in state. With {@code mapEntries == 0} (W1) each key holds a {@code
 * ValueState<byte[]>}; otherwise (W2) a {@code MapState<Integer, byte[]>} of {@code mapEntries}
 * user entries. The source emits <em>slots</em>: a key for W1, one user entry of one key for W2,
 * slot {@code s} being user key {@code s % mapEntries} of key {@code s / mapEntries}.
 */
final class Workload implements Serializable {

    private static final long serialVersionUID = 1L;

    final long keys;
    final int mapEntries;
    final int valueSize;
    final ValueKind valueKind;
    final int parallelism;

    Workload(long keys, int mapEntries, int valueSize, ValueKind valueKind, int parallelism) {
        this.keys = keys;
        this.mapEntries = mapEntries;
        this.valueSize = valueSize;
        this.valueKind = valueKind;
        this.parallelism = parallelism;
    }

    /** The same state, for a job of {@code newParallelism} subtasks (a rescaled restore). */
    Workload withParallelism(int newParallelism) {
        return new Workload(keys, mapEntries, valueSize, valueKind, newParallelism);
    }

    boolean isMapState() {
        return mapEntries > 0;
    }

    /** Values in state: keys for W1, user entries for W2. */
    long slots() {
        return isMapState() ? keys * mapEntries : keys;
    }

    /** The key whose state holds {@code slot}. */
    long keyOf(long slot) {
        return isMapState() ? slot / mapEntries : slot;
    }

    /** The user key of {@code slot} in its key's map (W2 only). */
    int userKeyOf(long slot) {
        return (int) (slot % mapEntries);
    }

    /** The bytes one update changes: the key, the user key for W2, and the value. */
    int changedBytesPerUpdate() {
        return Long.BYTES + (isMapState() ? Integer.BYTES : 0) + valueSize;
    }
}
