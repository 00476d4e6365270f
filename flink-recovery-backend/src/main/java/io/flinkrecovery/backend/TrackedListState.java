package io.flinkrecovery.backend;

import org.apache.flink.runtime.state.InternalKeyContext;
import org.apache.flink.runtime.state.internal.InternalListState;

import io.flinkrecovery.backend.snapshot.DirtyKeys;

import java.util.AbstractList;
import java.util.Collection;
import java.util.List;
import java.util.RandomAccess;

/**
 * A heap {@code ListState} whose writes are tracked. {@link #get()} returns the heap's live list,
 * so it is wrapped in a view whose mutations (including its iterators' {@code remove}) are tracked.
 */
final class TrackedListState<K, N, V>
        extends AbstractTrackedState<K, N, List<V>, InternalListState<K, N, V>>
        implements InternalListState<K, N, V> {

    TrackedListState(
            InternalListState<K, N, V> delegate, DirtyKeys dirty, InternalKeyContext<K> context) {
        super(delegate, dirty, context);
    }

    @Override
    public Iterable<V> get() throws Exception {
        Iterable<V> values = delegate.get();
        if (values instanceof List) {
            return new TrackedList<>((List<V>) values, currentEntryMarker());
        }
        return values;
    }

    @Override
    public void add(V value) throws Exception {
        delegate.add(value);
        markCurrent();
    }

    @Override
    public void update(List<V> values) throws Exception {
        delegate.update(values);
        markCurrent();
    }

    @Override
    public void addAll(List<V> values) throws Exception {
        delegate.addAll(values);
        markCurrent();
    }

    @Override
    public List<V> getInternal() throws Exception {
        return delegate.getInternal();
    }

    @Override
    public void updateInternal(List<V> valueToStore) throws Exception {
        delegate.updateInternal(valueToStore);
        markCurrent();
    }

    @Override
    public void mergeNamespaces(N target, Collection<N> sources) throws Exception {
        delegate.mergeNamespaces(target, sources);
        markMerge(target, sources);
    }

    /** A view of the live list whose writes mark the entry it was read from. */
    private static final class TrackedList<V> extends AbstractList<V> implements RandomAccess {
        private final List<V> list;
        private final Runnable mark;

        TrackedList(List<V> list, Runnable mark) {
            this.list = list;
            this.mark = mark;
        }

        @Override
        public V get(int index) {
            return list.get(index);
        }

        @Override
        public int size() {
            return list.size();
        }

        @Override
        public V set(int index, V element) {
            V old = list.set(index, element);
            mark.run();
            return old;
        }

        @Override
        public void add(int index, V element) {
            list.add(index, element);
            mark.run();
        }

        @Override
        public V remove(int index) {
            V old = list.remove(index);
            mark.run();
            return old;
        }
    }
}
