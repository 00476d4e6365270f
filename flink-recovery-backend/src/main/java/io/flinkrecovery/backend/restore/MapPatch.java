package io.flinkrecovery.backend.restore;

import org.apache.flink.api.common.typeutils.base.MapSerializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.runtime.state.heap.StateMap;

import io.flinkrecovery.backend.snapshot.SegmentFormat;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The changed user keys of one map state entry, as a delta's {@link SegmentFormat#PATCH} record
 * holds them: puts (values may be null, as map state allows) and removals.
 */
final class MapPatch {

    private final Object[] userKeys;
    private final Object[] values;
    private final boolean[] removed;

    private MapPatch(Object[] userKeys, Object[] values, boolean[] removed) {
        this.userKeys = userKeys;
        this.values = values;
        this.removed = removed;
    }

    static MapPatch read(MapSerializer<Object, Object> serializer, DataInputView in)
            throws IOException {
        int count = in.readInt();
        Object[] userKeys = new Object[count];
        Object[] values = new Object[count];
        boolean[] removed = new boolean[count];
        for (int i = 0; i < count; i++) {
            byte op = in.readByte();
            userKeys[i] = serializer.getKeySerializer().deserialize(in);
            if (op == SegmentFormat.DELETE) {
                removed[i] = true;
            } else if (op != SegmentFormat.PUT) {
                throw new IOException("Unknown user key operation " + op + " in a map patch");
            } else if (!in.readBoolean()) {
                values[i] = serializer.getValueSerializer().deserialize(in);
            }
        }
        return new MapPatch(userKeys, values, removed);
    }

    /**
     * Applies the patch to the map at {@code (key, namespace)}: creates the map if there is none,
     * and removes the entry if the patch empties it, as Flink's heap map state does.
     */
    @SuppressWarnings("unchecked")
    void applyTo(StateMap<Object, Object, Object> stateMap, Object key, Object namespace) {
        Map<Object, Object> map = (Map<Object, Object>) stateMap.get(key, namespace);
        boolean created = map == null;
        if (created) {
            map = new HashMap<>();
        }
        for (int i = 0; i < userKeys.length; i++) {
            if (removed[i]) {
                map.remove(userKeys[i]);
            } else {
                map.put(userKeys[i], values[i]);
            }
        }
        if (map.isEmpty()) {
            if (!created) {
                stateMap.remove(key, namespace);
            }
        } else if (created) {
            stateMap.put(key, namespace, map);
        }
    }
}
