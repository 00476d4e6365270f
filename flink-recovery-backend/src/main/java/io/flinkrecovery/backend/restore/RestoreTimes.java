package io.flinkrecovery.backend.restore;

/**
 * Where one restoring thread spent its time, summed over the blocks it applied: CRC32C checks,
 * deserializing records, and writing them into the heap's maps. Not thread-safe: one per thread,
 * added up at the end.
 */
final class RestoreTimes {
    long verifyNanos;
    long decodeNanos;
    long putNanos;
    long records;
    int threads;

    void add(RestoreTimes other) {
        verifyNanos += other.verifyNanos;
        decodeNanos += other.decodeNanos;
        putNanos += other.putNanos;
        records += other.records;
    }
}
