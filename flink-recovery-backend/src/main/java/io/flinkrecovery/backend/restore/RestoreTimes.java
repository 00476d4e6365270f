package io.flinkrecovery.backend.restore;

/**
 * Where one restoring thread spent its time, summed over the blocks it applied: CRC32C checks,
 * decompressing compressed blocks, deserializing records, and writing them into the heap's maps.
 * Not thread-safe: one per thread, added up at the end.
 */
final class RestoreTimes {
    long verifyNanos;
    long decompressNanos;
    long decodeNanos;
    long putNanos;
    long records;
    int threads;

    void add(RestoreTimes other) {
        verifyNanos += other.verifyNanos;
        decompressNanos += other.decompressNanos;
        decodeNanos += other.decodeNanos;
        putNanos += other.putNanos;
        records += other.records;
    }
}
