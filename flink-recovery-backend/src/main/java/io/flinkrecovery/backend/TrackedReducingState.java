package io.flinkrecovery.backend;

import org.apache.flink.runtime.state.InternalKeyContext;
import org.apache.flink.runtime.state.internal.InternalReducingState;

import io.flinkrecovery.backend.snapshot.DirtyKeys;

import java.util.Collection;

/** A heap {@code ReducingState} whose writes are tracked. */
final class TrackedReducingState<K, N, V>
        extends AbstractTrackedState<K, N, V, InternalReducingState<K, N, V>>
        implements InternalReducingState<K, N, V> {

    TrackedReducingState(
            InternalReducingState<K, N, V> delegate,
            DirtyKeys dirty,
            InternalKeyContext<K> context) {
        super(delegate, dirty, context);
    }

    @Override
    public V get() throws Exception {
        return delegate.get();
    }

    @Override
    public void add(V value) throws Exception {
        delegate.add(value);
        markCurrent();
    }

    @Override
    public V getInternal() throws Exception {
        return delegate.getInternal();
    }

    @Override
    public void updateInternal(V valueToStore) throws Exception {
        delegate.updateInternal(valueToStore);
        markCurrent();
    }

    @Override
    public void mergeNamespaces(N target, Collection<N> sources) throws Exception {
        delegate.mergeNamespaces(target, sources);
        markMerge(target, sources);
    }
}
