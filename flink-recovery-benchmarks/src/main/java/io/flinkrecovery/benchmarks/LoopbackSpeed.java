package io.flinkrecovery.benchmarks;

import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectOutputStream;
import io.flinkrecovery.objectstore.ObjectStore;
import io.flinkrecovery.objectstore.SeekableInputStream;
import io.flinkrecovery.objectstore.WriteMode;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The physical reference: how fast the embedded S3 server takes large and small PUTs and GETs over
 * loopback, through the same client the checkpoints use.
 */
final class LoopbackSpeed {

    private static final int LARGE = 64 << 20;
    private static final int SMALL = 4 << 10;
    private static final int LARGE_REPEATS = 2;

    /** Ranged GETs that read a large object, as a restore reads a segment. */
    static final int RANGES = 8;

    private static final int SMALL_REPEATS = 200;

    /** Small requests stop after this long, so that a busy machine does not stall the run. */
    private static final long SMALL_BUDGET_NANOS = 3_000_000_000L;

    double largePutMbPerSecond;
    double largeGetMbPerSecond;
    double rangedGetMbPerSecond;
    double smallPutsPerSecond;
    double smallGetsPerSecond;

    static LoopbackSpeed measure(ObjectStore store, ObjectLocation directory) throws IOException {
        LoopbackSpeed speed = new LoopbackSpeed();
        byte[] large = new byte[LARGE];
        new Random(1).nextBytes(large);
        byte[] small = new byte[SMALL];
        new Random(2).nextBytes(small);
        byte[] buffer = new byte[1 << 20];

        long start;
        List<Double> puts = new ArrayList<>();
        List<Double> gets = new ArrayList<>();
        for (int i = 0; i < LARGE_REPEATS; i++) {
            ObjectLocation location = directory.child("large-" + i);
            start = System.nanoTime();
            try (ObjectOutputStream out = store.create(location, WriteMode.OVERWRITE)) {
                out.write(large);
            }
            puts.add(LARGE / 1e6 / ((System.nanoTime() - start) / 1e9));
            start = System.nanoTime();
            readFully(store.open(location), buffer);
            gets.add(LARGE / 1e6 / ((System.nanoTime() - start) / 1e9));
        }
        speed.largePutMbPerSecond = Stats.median(puts);
        speed.largeGetMbPerSecond = Stats.median(gets);

        // The ranges of one object, last first: a server that skips to an offset shows it here.
        int range = LARGE / RANGES;
        start = System.nanoTime();
        for (int r = RANGES - 1; r >= 0; r--) {
            readFully(store.openRange(directory.child("large-0"), (long) r * range, range), buffer);
        }
        speed.rangedGetMbPerSecond = LARGE / 1e6 / ((System.nanoTime() - start) / 1e9);

        start = System.nanoTime();
        int smallCount = 0;
        while (smallCount < SMALL_REPEATS && System.nanoTime() - start < SMALL_BUDGET_NANOS) {
            store.put(directory.child("small-" + smallCount++), small);
        }
        speed.smallPutsPerSecond = smallCount / ((System.nanoTime() - start) / 1e9);
        start = System.nanoTime();
        for (int i = 0; i < smallCount; i++) {
            readFully(store.open(directory.child("small-" + i)), buffer);
        }
        speed.smallGetsPerSecond = smallCount / ((System.nanoTime() - start) / 1e9);

        List<ObjectLocation> written = new ArrayList<>();
        for (int i = 0; i < LARGE_REPEATS; i++) {
            written.add(directory.child("large-" + i));
        }
        for (int i = 0; i < smallCount; i++) {
            written.add(directory.child("small-" + i));
        }
        store.deleteBatch(written);
        return speed;
    }

    /** Reads a stream to its end; returns the bytes read. */
    static long readFully(SeekableInputStream stream, byte[] buffer) throws IOException {
        long total = 0;
        try (InputStream in = stream) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                total += n;
            }
        }
        return total;
    }
}
