package org.apache.flink.runtime.state.heap;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.runtime.state.StateEntry;
import org.apache.flink.runtime.state.StateTransformationFunction;
import org.apache.flink.runtime.state.internal.InternalKvState;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Iterator;
import java.util.stream.Stream;

/**
 * A {@link CopyOnWriteStateMap} of a restored key group whose records are not in it yet: every
 * method first waits until they are ({@link Pending#awaitApplied()}), which applies them on the
 * calling thread if no other thread is. Once they are in, the map is a plain copy-on-write map plus
 * one volatile read per call.
 *
 * <p>It lives in Flink's package because {@link CopyOnWriteStateMap}'s constructor is
 * package-private, and because {@code CopyOnWriteStateTable} casts its maps to that class. Every
 * public method of {@link StateMap} is overridden ({@code isEmpty} calls {@link #size()}); the
 * package-private ones that snapshots use are reached only through {@link #stateSnapshot()}, which
 * waits too.
 */
public final class DeferredStateMap<K, N, S> extends CopyOnWriteStateMap<K, N, S> {

    private static final Logger LOG = LoggerFactory.getLogger(DeferredStateMap.class);

    /** {@code CopyOnWriteStateMap#makeTable} and {@code #primaryTable}, for {@link #presize}. */
    private static final Method MAKE_TABLE = findMakeTable();

    private static final Field PRIMARY_TABLE = findPrimaryTable();

    /** The restored records of one key group, for all of its states. */
    public interface Pending {
        /**
         * Returns once the records are in the key group's maps. Applies them if no other thread is
         * doing so; returns at once on the thread that is applying them; throws if applying them
         * failed.
         */
        void awaitApplied();
    }

    /** Null once the records are in: the write that publishes them to every thread. */
    private volatile Pending pending;

    private DeferredStateMap(TypeSerializer<S> stateSerializer, Pending pending) {
        super(stateSerializer);
        this.pending = pending;
    }

    /**
     * Replaces key group {@code keyGroup}'s map of {@code table}, which must be empty, with one
     * that waits for {@code pending}. Only during a restore, before the task runs.
     */
    public static <K, N, S> DeferredStateMap<K, N, S> install(
            StateTable<K, N, S> table, int keyGroup, Pending pending) {
        StateMap<K, N, S>[] maps = table.getState();
        int index = keyGroup - table.getKeyGroupOffset();
        StateMap<K, N, S> old = maps[index];
        if (!(old instanceof CopyOnWriteStateMap) || !old.isEmpty()) {
            throw new IllegalStateException(
                    "Key group "
                            + keyGroup
                            + " of state "
                            + table.getMetaInfo().getName()
                            + " already holds entries; its restore cannot be deferred");
        }
        DeferredStateMap<K, N, S> deferred =
                new DeferredStateMap<>(
                        ((CopyOnWriteStateMap<K, N, S>) old).getStateSerializer(), pending);
        maps[index] = deferred;
        return deferred;
    }

    /** Called by {@link Pending} once the records are in this map. */
    public void applied() {
        pending = null;
    }

    /** Whether the restored records are in. */
    public boolean isApplied() {
        return pending == null;
    }

    /**
     * Gives this map, while it is empty, a table sized for {@code entries}, so that applying a base
     * does not grow it by doubling. Only while the records are applied, when no snapshot and no
     * other thread can see the map; a no-op if Flink's map is not as expected.
     */
    public void presize(int entries) {
        if (MAKE_TABLE == null
                || PRIMARY_TABLE == null
                || super.size() != 0
                || isRehashing()
                || !getSnapshotVersions().isEmpty()) {
            return;
        }
        // The map rehashes above 3/4 of its capacity; the table's length must be a power of 2.
        long wanted = Math.min(1 << 30, (long) entries * 4 / 3 + 1);
        int capacity = Integer.highestOneBit((int) wanted - 1) << 1;
        try {
            if (((Object[]) PRIMARY_TABLE.get(this)).length < capacity) {
                PRIMARY_TABLE.set(this, MAKE_TABLE.invoke(this, capacity));
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("Cannot presize a deferred map for {} entries", entries, e);
        }
    }

    private static Method findMakeTable() {
        try {
            Method method = CopyOnWriteStateMap.class.getDeclaredMethod("makeTable", int.class);
            method.setAccessible(true);
            return method;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.info("Deferred restored maps are not presized: {}", e.toString());
            return null;
        }
    }

    private static Field findPrimaryTable() {
        try {
            Field field = CopyOnWriteStateMap.class.getDeclaredField("primaryTable");
            field.setAccessible(true);
            return field;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.info("Deferred restored maps are not presized: {}", e.toString());
            return null;
        }
    }

    private void awaitApplied() {
        Pending current = pending;
        if (current != null) {
            current.awaitApplied();
        }
    }

    @Override
    public int size() {
        awaitApplied();
        return super.size();
    }

    @Override
    public S get(K key, N namespace) {
        awaitApplied();
        return super.get(key, namespace);
    }

    @Override
    public boolean containsKey(K key, N namespace) {
        awaitApplied();
        return super.containsKey(key, namespace);
    }

    @Override
    public void put(K key, N namespace, S value) {
        awaitApplied();
        super.put(key, namespace, value);
    }

    @Override
    public S putAndGetOld(K key, N namespace, S state) {
        awaitApplied();
        return super.putAndGetOld(key, namespace, state);
    }

    @Override
    public void remove(K key, N namespace) {
        awaitApplied();
        super.remove(key, namespace);
    }

    @Override
    public S removeAndGetOld(K key, N namespace) {
        awaitApplied();
        return super.removeAndGetOld(key, namespace);
    }

    @Override
    public Stream<K> getKeys(N namespace) {
        awaitApplied();
        return super.getKeys(namespace);
    }

    @Override
    public <T> void transform(
            K key, N namespace, T value, StateTransformationFunction<S, T> transformation)
            throws Exception {
        awaitApplied();
        super.transform(key, namespace, value, transformation);
    }

    @Override
    public Iterator<StateEntry<K, N, S>> iterator() {
        awaitApplied();
        return super.iterator();
    }

    @Override
    public CopyOnWriteStateMapSnapshot<K, N, S> stateSnapshot() {
        awaitApplied();
        return super.stateSnapshot();
    }

    @Override
    public int sizeOfNamespace(Object namespace) {
        awaitApplied();
        return super.sizeOfNamespace(namespace);
    }

    @Override
    public InternalKvState.StateIncrementalVisitor<K, N, S> getStateIncrementalVisitor(
            int recommendedMaxNumberOfReturnedRecords) {
        awaitApplied();
        return super.getStateIncrementalVisitor(recommendedMaxNumberOfReturnedRecords);
    }
}
