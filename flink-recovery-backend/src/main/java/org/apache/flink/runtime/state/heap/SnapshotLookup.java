package org.apache.flink.runtime.state.heap;

import org.apache.flink.util.MathUtils;

import javax.annotation.Nullable;

import java.lang.reflect.Field;

/**
 * Point lookups in a {@link CopyOnWriteStateMapSnapshot}: the value an entry had when the snapshot
 * was taken, read by a snapshot's asynchronous phase while the task thread goes on changing the map
 * (copy-on-write keeps every entry and value the snapshot references unchanged).
 *
 * <p>A snapshot copies the map's bucket array. When the map is not in the middle of an incremental
 * rehash, the copy is exactly the primary table, whose length is a power of two, and an entry sits
 * in bucket {@code hash & (length - 1)} with Flink's {@code compositeHash}. A copy made during a
 * rehash interleaves two tables and is never a power of two long (its length is the primary table's
 * plus the rehash index, or the map's size, which lies strictly between two powers of two then);
 * for those, {@link #of} returns null and the caller reads the snapshot whole.
 *
 * <p>Lives in Flink's package because the entries' fields are package-private; the snapshot's array
 * is read by reflection once per snapshot.
 */
public final class SnapshotLookup<K, N, S> {

    private static final Field SNAPSHOT_DATA = snapshotDataField();

    private final CopyOnWriteStateMap.StateMapEntry<K, N, S>[] buckets;

    private SnapshotLookup(CopyOnWriteStateMap.StateMapEntry<K, N, S>[] buckets) {
        this.buckets = buckets;
    }

    /** A lookup into {@code snapshot}, or null if its layout does not allow one. */
    @Nullable
    @SuppressWarnings("unchecked")
    public static <K, N, S> SnapshotLookup<K, N, S> of(StateMapSnapshot<K, N, S, ?> snapshot) {
        if (SNAPSHOT_DATA == null || !(snapshot instanceof CopyOnWriteStateMapSnapshot)) {
            return null;
        }
        CopyOnWriteStateMap.StateMapEntry<K, N, S>[] buckets;
        try {
            buckets = (CopyOnWriteStateMap.StateMapEntry<K, N, S>[]) SNAPSHOT_DATA.get(snapshot);
        } catch (IllegalAccessException e) {
            return null;
        }
        return Integer.bitCount(buckets.length) == 1 ? new SnapshotLookup<>(buckets) : null;
    }

    /** Whether the snapshot holds {@code (key, namespace)}. */
    public boolean contains(K key, N namespace) {
        return entry(key, namespace) != null;
    }

    /** The state of {@code (key, namespace)} in the snapshot, or null if it held none. */
    @Nullable
    public S get(K key, N namespace) {
        CopyOnWriteStateMap.StateMapEntry<K, N, S> entry = entry(key, namespace);
        return entry == null ? null : entry.state;
    }

    @Nullable
    private CopyOnWriteStateMap.StateMapEntry<K, N, S> entry(K key, N namespace) {
        // CopyOnWriteStateMap#compositeHash
        int hash = MathUtils.bitMix(key.hashCode() ^ namespace.hashCode());
        for (CopyOnWriteStateMap.StateMapEntry<K, N, S> e = buckets[hash & (buckets.length - 1)];
                e != null;
                e = e.next) {
            if (e.hash == hash && key.equals(e.key) && namespace.equals(e.namespace)) {
                return e;
            }
        }
        return null;
    }

    @Nullable
    private static Field snapshotDataField() {
        try {
            Field field = CopyOnWriteStateMapSnapshot.class.getDeclaredField("snapshotData");
            field.setAccessible(true);
            return field;
        } catch (ReflectiveOperationException | RuntimeException e) {
            // Another Flink version: snapshots are then read whole.
            return null;
        }
    }
}
