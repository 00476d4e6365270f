package io.flinkrecovery.backend;

import org.apache.flink.runtime.state.InternalKeyContext;
import org.apache.flink.runtime.state.internal.InternalValueState;

import io.flinkrecovery.backend.snapshot.DirtyKeys;

import java.io.IOException;

/** A heap {@code ValueState} whose writes are tracked. */
final class TrackedValueState<K, N, V>
        extends AbstractTrackedState<K, N, V, InternalValueState<K, N, V>>
        implements InternalValueState<K, N, V> {

    TrackedValueState(
            InternalValueState<K, N, V> delegate, DirtyKeys dirty, InternalKeyContext<K> context) {
        super(delegate, dirty, context);
    }

    @Override
    public V value() throws IOException {
        return delegate.value();
    }

    @Override
    public void update(V value) throws IOException {
        delegate.update(value);
        markCurrent();
    }
}
