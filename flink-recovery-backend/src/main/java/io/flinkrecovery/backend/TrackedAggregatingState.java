package io.flinkrecovery.backend;

import org.apache.flink.runtime.state.InternalKeyContext;
import org.apache.flink.runtime.state.internal.InternalAggregatingState;

import io.flinkrecovery.backend.snapshot.DirtyKeys;

import java.util.Collection;

/** A heap {@code AggregatingState} whose writes are tracked. */
final class TrackedAggregatingState<K, N, IN, ACC, OUT>
        extends AbstractTrackedState<K, N, ACC, InternalAggregatingState<K, N, IN, ACC, OUT>>
        implements InternalAggregatingState<K, N, IN, ACC, OUT> {

    TrackedAggregatingState(
            InternalAggregatingState<K, N, IN, ACC, OUT> delegate,
            DirtyKeys dirty,
            InternalKeyContext<K> context) {
        super(delegate, dirty, context);
    }

    @Override
    public OUT get() throws Exception {
        return delegate.get();
    }

    @Override
    public void add(IN value) throws Exception {
        delegate.add(value);
        markCurrent();
    }

    @Override
    public ACC getInternal() throws Exception {
        return delegate.getInternal();
    }

    @Override
    public void updateInternal(ACC valueToStore) throws Exception {
        delegate.updateInternal(valueToStore);
        markCurrent();
    }

    @Override
    public void mergeNamespaces(N target, Collection<N> sources) throws Exception {
        delegate.mergeNamespaces(target, sources);
        markMerge(target, sources);
    }
}
