package io.flinkrecovery.backend;

import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.KeyGroupedInternalPriorityQueue;
import org.apache.flink.runtime.state.Keyed;
import org.apache.flink.util.CloseableIterator;

import io.flinkrecovery.backend.snapshot.DirtyKeys;

import javax.annotation.Nonnull;
import javax.annotation.Nullable;

import java.util.Collection;
import java.util.Collections;
import java.util.Set;

/**
 * A heap priority queue (timers) whose additions and removals mark the element's key group dirty.
 * The key group comes from the element's own key, never from the current key.
 */
final class TrackedPriorityQueue<T> implements KeyGroupedInternalPriorityQueue<T> {

    private final KeyGroupedInternalPriorityQueue<T> delegate;
    private final DirtyKeys dirty;
    private final int numberOfKeyGroups;

    TrackedPriorityQueue(
            KeyGroupedInternalPriorityQueue<T> delegate, DirtyKeys dirty, int numberOfKeyGroups) {
        this.delegate = delegate;
        this.dirty = dirty;
        this.numberOfKeyGroups = numberOfKeyGroups;
    }

    private void mark(T element) {
        dirty.markElement(
                KeyGroupRangeAssignment.assignToKeyGroup(
                        ((Keyed<?>) element).getKey(), numberOfKeyGroups),
                element);
    }

    @Nullable
    @Override
    public T poll() {
        T head = delegate.poll();
        if (head != null) {
            mark(head);
        }
        return head;
    }

    @Nullable
    @Override
    public T peek() {
        return delegate.peek();
    }

    @Override
    public boolean add(@Nonnull T toAdd) {
        boolean headChanged = delegate.add(toAdd);
        mark(toAdd);
        return headChanged;
    }

    @Override
    public boolean remove(@Nonnull T toRemove) {
        boolean headChanged = delegate.remove(toRemove);
        mark(toRemove);
        return headChanged;
    }

    @Override
    public boolean isEmpty() {
        return delegate.isEmpty();
    }

    @Override
    public int size() {
        return delegate.size();
    }

    @Override
    public void addAll(@Nullable Collection<? extends T> toAdd) {
        delegate.addAll(toAdd);
        if (toAdd != null) {
            for (T element : toAdd) {
                mark(element);
            }
        }
    }

    /** The heap's iterator does not support {@code remove()}, so there is nothing to track. */
    @Nonnull
    @Override
    public CloseableIterator<T> iterator() {
        return delegate.iterator();
    }

    @Override
    public Set<T> getSubsetForKeyGroup(int keyGroupId) {
        return Collections.unmodifiableSet(delegate.getSubsetForKeyGroup(keyGroupId));
    }
}
