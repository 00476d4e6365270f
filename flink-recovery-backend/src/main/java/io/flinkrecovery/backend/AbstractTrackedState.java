package io.flinkrecovery.backend;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.runtime.state.InternalKeyContext;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.internal.InternalKvState;

import io.flinkrecovery.backend.snapshot.DirtyKeys;

import java.util.Collection;
import java.util.Iterator;

/**
 * Base of the wrappers around the heap's states: reads pass through, and every write marks its
 * {@code (key group, key, namespace)} dirty so that the next checkpoint writes it.
 */
abstract class AbstractTrackedState<K, N, V, S extends InternalKvState<K, N, V>>
        implements InternalKvState<K, N, V> {

    protected S delegate;
    protected final DirtyKeys dirty;
    protected final InternalKeyContext<K> keyContext;
    private N currentNamespace;

    AbstractTrackedState(S delegate, DirtyKeys dirty, InternalKeyContext<K> keyContext) {
        this.delegate = delegate;
        this.dirty = dirty;
        this.keyContext = keyContext;
    }

    /** The heap updates its state object in place; this only guards against a new instance. */
    @SuppressWarnings("unchecked")
    void setDelegate(InternalKvState<K, N, ?> state) {
        this.delegate = (S) state;
    }

    /** Marks the current key in the current namespace dirty. */
    protected final void markCurrent() {
        dirty.mark(
                keyContext.getCurrentKeyGroupIndex(), keyContext.getCurrentKey(), currentNamespace);
    }

    /** Marks the current key in {@code namespace} dirty. */
    protected final void markCurrent(N namespace) {
        dirty.mark(keyContext.getCurrentKeyGroupIndex(), keyContext.getCurrentKey(), namespace);
    }

    /** Marks one user key of the current key's map in the current namespace dirty. */
    protected final void markCurrentMapEntry(Object userKey) {
        dirty.markMapEntry(
                keyContext.getCurrentKeyGroupIndex(),
                keyContext.getCurrentKey(),
                currentNamespace,
                userKey);
    }

    protected final void markMerge(N target, Collection<N> sources) {
        markCurrent(target);
        for (N source : sources) {
            markCurrent(source);
        }
    }

    protected final N currentNamespace() {
        return currentNamespace;
    }

    /**
     * Marks the current key and namespace dirty when run, even after the current key has changed:
     * for views of a value that may outlive the current key.
     */
    protected final Runnable currentEntryMarker() {
        int keyGroup = keyContext.getCurrentKeyGroupIndex();
        K key = keyContext.getCurrentKey();
        N namespace = currentNamespace;
        return () -> dirty.mark(keyGroup, key, namespace);
    }

    /** An iterator whose {@code remove()} marks the entry it belongs to dirty. */
    protected final <E> Iterator<E> trackingIterator(Iterator<E> iterator) {
        return trackingIterator(iterator, currentEntryMarker());
    }

    static <E> Iterator<E> trackingIterator(Iterator<E> iterator, Runnable mark) {
        return new Iterator<E>() {
            @Override
            public boolean hasNext() {
                return iterator.hasNext();
            }

            @Override
            public E next() {
                return iterator.next();
            }

            @Override
            public void remove() {
                iterator.remove();
                mark.run();
            }
        };
    }

    @Override
    public TypeSerializer<K> getKeySerializer() {
        return delegate.getKeySerializer();
    }

    @Override
    public TypeSerializer<N> getNamespaceSerializer() {
        return delegate.getNamespaceSerializer();
    }

    @Override
    public TypeSerializer<V> getValueSerializer() {
        return delegate.getValueSerializer();
    }

    @Override
    public void setCurrentNamespace(N namespace) {
        this.currentNamespace = namespace;
        delegate.setCurrentNamespace(namespace);
    }

    @Override
    public byte[] getSerializedValue(
            byte[] serializedKeyAndNamespace,
            TypeSerializer<K> safeKeySerializer,
            TypeSerializer<N> safeNamespaceSerializer,
            TypeSerializer<V> safeValueSerializer)
            throws Exception {
        return delegate.getSerializedValue(
                serializedKeyAndNamespace,
                safeKeySerializer,
                safeNamespaceSerializer,
                safeValueSerializer);
    }

    /** TTL's incremental cleanup removes and updates entries of keys other than the current one. */
    @Override
    public StateIncrementalVisitor<K, N, V> getStateIncrementalVisitor(
            int recommendedMaxNumberOfReturnedRecords) {
        StateIncrementalVisitor<K, N, V> visitor =
                delegate.getStateIncrementalVisitor(recommendedMaxNumberOfReturnedRecords);
        return visitor == null
                ? null
                : new TrackingVisitor<>(visitor, dirty, keyContext.getNumberOfKeyGroups());
    }

    @Override
    public void clear() {
        delegate.clear();
        markCurrent();
    }

    /** Marks the key group of an entry from its own key, not from the current key. */
    private static final class TrackingVisitor<K, N, V>
            implements StateIncrementalVisitor<K, N, V> {
        private final StateIncrementalVisitor<K, N, V> visitor;
        private final DirtyKeys dirty;
        private final int numberOfKeyGroups;

        TrackingVisitor(
                StateIncrementalVisitor<K, N, V> visitor, DirtyKeys dirty, int numberOfKeyGroups) {
            this.visitor = visitor;
            this.dirty = dirty;
            this.numberOfKeyGroups = numberOfKeyGroups;
        }

        @Override
        public boolean hasNext() {
            return visitor.hasNext();
        }

        @Override
        public Collection<org.apache.flink.runtime.state.StateEntry<K, N, V>> nextEntries() {
            return visitor.nextEntries();
        }

        @Override
        public void remove(org.apache.flink.runtime.state.StateEntry<K, N, V> entry) {
            visitor.remove(entry);
            mark(entry);
        }

        @Override
        public void update(org.apache.flink.runtime.state.StateEntry<K, N, V> entry, V newValue) {
            visitor.update(entry, newValue);
            mark(entry);
        }

        private void mark(org.apache.flink.runtime.state.StateEntry<K, N, V> entry) {
            K key = entry.getKey();
            dirty.mark(
                    KeyGroupRangeAssignment.assignToKeyGroup(key, numberOfKeyGroups),
                    key,
                    entry.getNamespace());
        }
    }
}
