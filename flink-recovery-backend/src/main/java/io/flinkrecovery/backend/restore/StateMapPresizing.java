package io.flinkrecovery.backend.restore;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.runtime.state.heap.CopyOnWriteStateMap;
import org.apache.flink.runtime.state.heap.DeferredStateMap;
import org.apache.flink.runtime.state.heap.StateMap;
import org.apache.flink.runtime.state.heap.StateTable;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Constructor;

/**
 * Gives a key group that is about to receive a base of n entries a copy-on-write map sized for
 * them, so that the restore does not grow it by doubling (each doubling allocates a new table and
 * migrates every entry in incremental rehash steps). The map is the same class the heap creates, so
 * state access afterwards is unchanged.
 *
 * <p>Flink's {@link CopyOnWriteStateMap} takes a capacity only in a private constructor; if that
 * constructor cannot be used (another Flink version), maps are left as they are.
 */
final class StateMapPresizing {

    private static final Logger LOG = LoggerFactory.getLogger(StateMapPresizing.class);

    /** Below this many entries the default capacity (128) is enough. */
    private static final int MIN_ENTRIES = 96;

    @SuppressWarnings("rawtypes")
    private static final Constructor<CopyOnWriteStateMap> WITH_CAPACITY = findConstructor();

    private StateMapPresizing() {}

    /**
     * Replaces key group {@code keyGroup}'s map in {@code table} with one sized for {@code entries}
     * if that map is a plain, empty copy-on-write map, or sizes a deferred map's table in place;
     * otherwise (a map that reports writes for TTL, a map with entries) leaves it. Only during a
     * restore, when no snapshot can hold the map.
     */
    @SuppressWarnings("unchecked")
    static <K, N, S> void presize(StateTable<K, N, S> table, int keyGroup, int entries) {
        if (entries < MIN_ENTRIES) {
            return;
        }
        StateMap<K, N, S>[] maps = table.getState();
        int index = keyGroup - table.getKeyGroupOffset();
        StateMap<K, N, S> map = maps[index];
        if (map instanceof DeferredStateMap) {
            ((DeferredStateMap<K, N, S>) map).presize(entries);
            return;
        }
        if (WITH_CAPACITY == null) {
            return;
        }
        if (map.getClass() != CopyOnWriteStateMap.class || !map.isEmpty()) {
            return;
        }
        // No snapshot runs during a restore, so no snapshot can hold the old map.
        CopyOnWriteStateMap<K, N, S> old = (CopyOnWriteStateMap<K, N, S>) map;
        // The map rehashes above 3/4 of its capacity; the constructor rounds up to a power of 2.
        int capacity = (int) Math.min(1 << 30, (long) entries * 4 / 3 + 1);
        TypeSerializer<S> serializer = old.getStateSerializer();
        try {
            maps[index] = WITH_CAPACITY.newInstance(capacity, serializer);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("Cannot presize the map of key group {}; keeping it", keyGroup, e);
        }
    }

    @SuppressWarnings("rawtypes")
    private static Constructor<CopyOnWriteStateMap> findConstructor() {
        try {
            Constructor<CopyOnWriteStateMap> constructor =
                    CopyOnWriteStateMap.class.getDeclaredConstructor(
                            int.class, TypeSerializer.class);
            constructor.setAccessible(true);
            return constructor;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.info("Restored state maps are not presized: {}", e.toString());
            return null;
        }
    }
}
