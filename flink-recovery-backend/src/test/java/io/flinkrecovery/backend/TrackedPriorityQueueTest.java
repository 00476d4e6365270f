package io.flinkrecovery.backend;

import org.apache.flink.runtime.state.InternalPriorityQueue;
import org.apache.flink.runtime.state.InternalPriorityQueueTestBase;
import org.apache.flink.runtime.state.heap.HeapPriorityQueueSet;

import io.flinkrecovery.backend.snapshot.DirtyKeys;

/** Flink's priority queue conformance suite, on the heap queue wrapped for dirty tracking. */
class TrackedPriorityQueueTest extends InternalPriorityQueueTestBase {

    @Override
    protected InternalPriorityQueue<TestElement> newPriorityQueue(int initialCapacity) {
        HeapPriorityQueueSet<TestElement> queue =
                new HeapPriorityQueueSet<>(
                        TEST_ELEMENT_PRIORITY_COMPARATOR,
                        KEY_EXTRACTOR_FUNCTION,
                        initialCapacity,
                        KEY_GROUP_RANGE,
                        KEY_GROUP_RANGE.getNumberOfKeyGroups());
        return new TrackedPriorityQueue<>(
                queue,
                new DirtyKeys(
                        KEY_GROUP_RANGE, keyGroup -> queue.getSubsetForKeyGroup(keyGroup).size()),
                KEY_GROUP_RANGE.getNumberOfKeyGroups());
    }

    @Override
    protected boolean testSetSemanticsAgainstDuplicateElements() {
        return true;
    }
}
