package io.flinkrecovery.backend;

import org.apache.flink.runtime.state.InternalKeyContext;
import org.apache.flink.runtime.state.internal.InternalMapState;

import io.flinkrecovery.backend.snapshot.DirtyKeys;

import java.util.Iterator;
import java.util.Map;

/**
 * A heap {@code MapState} whose writes are tracked. {@code put}, {@code putAll} and {@code remove}
 * mark the user keys they change, so that a checkpoint writes those user entries, not the map.
 * {@code clear}, {@code remove()} on the iterators of {@link #entries()}, {@link #keys()}, {@link
 * #values()} and {@link #iterator()}, and {@code setValue} on their entries (the heap returns live
 * views of the user map) mark the whole map.
 */
final class TrackedMapState<K, N, UK, UV>
        extends AbstractTrackedState<K, N, Map<UK, UV>, InternalMapState<K, N, UK, UV>>
        implements InternalMapState<K, N, UK, UV> {

    TrackedMapState(
            InternalMapState<K, N, UK, UV> delegate,
            DirtyKeys dirty,
            InternalKeyContext<K> context) {
        super(delegate, dirty, context);
    }

    @Override
    public UV get(UK key) throws Exception {
        return delegate.get(key);
    }

    @Override
    public void put(UK key, UV value) throws Exception {
        delegate.put(key, value);
        markCurrentMapEntry(key);
    }

    @Override
    public void putAll(Map<UK, UV> map) throws Exception {
        delegate.putAll(map);
        if (map != null) {
            for (UK key : map.keySet()) {
                markCurrentMapEntry(key);
            }
        }
    }

    @Override
    public void remove(UK key) throws Exception {
        delegate.remove(key);
        markCurrentMapEntry(key);
    }

    @Override
    public boolean contains(UK key) throws Exception {
        return delegate.contains(key);
    }

    @Override
    public Iterable<Map.Entry<UK, UV>> entries() throws Exception {
        Iterable<Map.Entry<UK, UV>> entries = delegate.entries();
        Runnable mark = currentEntryMarker();
        return () -> trackingEntries(entries.iterator(), mark);
    }

    @Override
    public Iterable<UK> keys() throws Exception {
        Iterable<UK> keys = delegate.keys();
        Runnable mark = currentEntryMarker();
        return () -> trackingIterator(keys.iterator(), mark);
    }

    @Override
    public Iterable<UV> values() throws Exception {
        Iterable<UV> values = delegate.values();
        Runnable mark = currentEntryMarker();
        return () -> trackingIterator(values.iterator(), mark);
    }

    @Override
    public Iterator<Map.Entry<UK, UV>> iterator() throws Exception {
        return trackingEntries(delegate.iterator(), currentEntryMarker());
    }

    @Override
    public boolean isEmpty() throws Exception {
        return delegate.isEmpty();
    }

    private static <UK, UV> Iterator<Map.Entry<UK, UV>> trackingEntries(
            Iterator<Map.Entry<UK, UV>> iterator, Runnable mark) {
        Iterator<Map.Entry<UK, UV>> removing = trackingIterator(iterator, mark);
        return new Iterator<Map.Entry<UK, UV>>() {
            @Override
            public boolean hasNext() {
                return removing.hasNext();
            }

            @Override
            public Map.Entry<UK, UV> next() {
                return new TrackedEntry<>(removing.next(), mark);
            }

            @Override
            public void remove() {
                removing.remove();
            }
        };
    }

    /** An entry of the live user map whose {@code setValue} is tracked. */
    private static final class TrackedEntry<UK, UV> implements Map.Entry<UK, UV> {
        private final Map.Entry<UK, UV> entry;
        private final Runnable mark;

        TrackedEntry(Map.Entry<UK, UV> entry, Runnable mark) {
            this.entry = entry;
            this.mark = mark;
        }

        @Override
        public UK getKey() {
            return entry.getKey();
        }

        @Override
        public UV getValue() {
            return entry.getValue();
        }

        @Override
        public UV setValue(UV value) {
            UV old = entry.setValue(value);
            mark.run();
            return old;
        }

        @Override
        public boolean equals(Object o) {
            return entry.equals(o);
        }

        @Override
        public int hashCode() {
            return entry.hashCode();
        }

        @Override
        public String toString() {
            return entry.toString();
        }
    }
}
