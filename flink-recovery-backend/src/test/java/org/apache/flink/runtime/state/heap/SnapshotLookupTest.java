package org.apache.flink.runtime.state.heap;

import org.apache.flink.api.common.typeutils.base.StringSerializer;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SnapshotLookupTest {

    @Test
    void readsEachEntryAsTheSnapshotHadIt() {
        CopyOnWriteStateMap<Integer, String, String> map =
                new CopyOnWriteStateMap<>(StringSerializer.INSTANCE);
        Map<Integer, String> atSnapshot = new HashMap<>();
        for (int key = 0; key < 1000; key++) {
            map.put(key, "ns", "v" + key);
            atSnapshot.put(key, "v" + key);
        }
        CopyOnWriteStateMapSnapshot<Integer, String, String> snapshot = map.stateSnapshot();
        for (int key = 0; key < 1000; key += 3) {
            map.put(key, "ns", "changed");
        }
        for (int key = 1; key < 1000; key += 7) {
            map.remove(key, "ns");
        }
        for (int key = 1000; key < 1100; key++) {
            map.put(key, "ns", "new");
        }

        SnapshotLookup<Integer, String, String> lookup = SnapshotLookup.of(snapshot);
        assertThat(lookup).as("a snapshot taken outside a rehash").isNotNull();
        for (int key = 0; key < 1100; key++) {
            assertThat(lookup.get(key, "ns")).as("key %s", key).isEqualTo(atSnapshot.get(key));
            assertThat(lookup.contains(key, "other-namespace")).isFalse();
        }
        snapshot.release();
    }

    @Test
    void aSnapshotTakenDuringARehashIsReadWholeOrLookedUpRight() {
        CopyOnWriteStateMap<Integer, String, String> map =
                new CopyOnWriteStateMap<>(StringSerializer.INSTANCE);
        int duringRehash = 0;
        int lookedUp = 0;
        for (int key = 0; key < 5000; key++) {
            map.put(key, "ns", "v" + key);
            if (key % 13 != 0) {
                continue;
            }
            CopyOnWriteStateMapSnapshot<Integer, String, String> snapshot = map.stateSnapshot();
            SnapshotLookup<Integer, String, String> lookup = SnapshotLookup.of(snapshot);
            if (map.isRehashing()) {
                duringRehash++;
            }
            if (lookup != null) {
                lookedUp++;
                for (int k = 0; k <= key + 5; k++) {
                    assertThat(lookup.get(k, "ns"))
                            .as("key %s of a snapshot at size %s", k, key + 1)
                            .isEqualTo(k <= key ? "v" + k : null);
                }
            }
            snapshot.release();
        }
        assertThat(duringRehash).as("snapshots taken during a rehash").isPositive();
        assertThat(lookedUp).isPositive();
    }
}
