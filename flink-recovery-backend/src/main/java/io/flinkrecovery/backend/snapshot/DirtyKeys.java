package io.flinkrecovery.backend.snapshot;

import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.VoidNamespace;

import java.util.HashSet;

/**
 * The entries of one state that changed since the last snapshot, per key group: a {@code (key,
 * namespace)} pair for keyed state, the element itself for a priority queue. Written only by the
 * task thread; {@link #drain()} hands the collected sets to a snapshot, which only reads them.
 */
public final class DirtyKeys {

    /**
     * Marks every entry of a key group as changed, for writes that cannot be observed one by one:
     * TTL's incremental cleanup and snapshot transformers that must see the whole state.
     */
    public static final Object ALL =
            new Object() {
                @Override
                public String toString() {
                    return "ALL";
                }
            };

    private final int startKeyGroup;
    private final int numberOfKeyGroups;
    private HashSet<Object>[] byKeyGroup;

    public DirtyKeys(KeyGroupRange keyGroupRange) {
        this.startKeyGroup = keyGroupRange.getStartKeyGroup();
        this.numberOfKeyGroups = keyGroupRange.getNumberOfKeyGroups();
        this.byKeyGroup = newSets(numberOfKeyGroups);
    }

    /** Marks {@code (key, namespace)} of key group {@code keyGroup} as changed. */
    public void mark(int keyGroup, Object key, Object namespace) {
        setFor(keyGroup).add(entryId(key, namespace));
    }

    /** Marks the whole key group as changed: the next snapshot writes all of its entries. */
    public void markAll(int keyGroup) {
        setFor(keyGroup).add(ALL);
    }

    /** Marks a priority queue element of key group {@code keyGroup} as added or removed. */
    public void markElement(int keyGroup, Object element) {
        setFor(keyGroup).add(element);
    }

    /**
     * Returns the sets collected so far, indexed by key group minus the range's first key group
     * (null where nothing changed), and starts new ones. The returned sets are never written again.
     */
    public HashSet<Object>[] drain() {
        HashSet<Object>[] drained = byKeyGroup;
        byKeyGroup = newSets(numberOfKeyGroups);
        return drained;
    }

    /**
     * The object that identifies {@code (key, namespace)} in a dirty set: the key itself for {@link
     * VoidNamespace} (no allocation on the hot path), a pair otherwise.
     */
    public static Object entryId(Object key, Object namespace) {
        return namespace instanceof VoidNamespace ? key : new KeyAndNamespace(key, namespace);
    }

    private HashSet<Object> setFor(int keyGroup) {
        int index = keyGroup - startKeyGroup;
        HashSet<Object> set = byKeyGroup[index];
        if (set == null) {
            set = new HashSet<>();
            byKeyGroup[index] = set;
        }
        return set;
    }

    @SuppressWarnings("unchecked")
    private static HashSet<Object>[] newSets(int size) {
        return (HashSet<Object>[]) new HashSet<?>[size];
    }

    /** A key and a namespace other than {@link VoidNamespace}. */
    public static final class KeyAndNamespace {
        private final Object key;
        private final Object namespace;

        KeyAndNamespace(Object key, Object namespace) {
            this.key = key;
            this.namespace = namespace;
        }

        public Object key() {
            return key;
        }

        public Object namespace() {
            return namespace;
        }

        @Override
        public boolean equals(Object o) {
            if (this == o) {
                return true;
            }
            if (!(o instanceof KeyAndNamespace)) {
                return false;
            }
            KeyAndNamespace that = (KeyAndNamespace) o;
            return key.equals(that.key) && namespace.equals(that.namespace);
        }

        @Override
        public int hashCode() {
            return 31 * key.hashCode() + namespace.hashCode();
        }

        @Override
        public String toString() {
            return "(" + key + ", " + namespace + ")";
        }
    }

    @Override
    public String toString() {
        int dirty = 0;
        for (HashSet<Object> set : byKeyGroup) {
            dirty += set == null ? 0 : set.size();
        }
        return "DirtyKeys{" + dirty + " entries, first key group " + startKeyGroup + "}";
    }
}
