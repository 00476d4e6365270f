package io.flinkrecovery.backend.snapshot;

import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.VoidNamespace;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Objects;
import java.util.function.IntUnaryOperator;

/**
 * The entries of one state that changed since the last snapshot, per key group: a {@code (key,
 * namespace)} pair for keyed state (or one user key of the map there, for map state), the element
 * itself for a priority queue. Written only by the task thread; {@link #drain()} hands the
 * collected sets to a snapshot, which only reads them.
 *
 * <p>A key group in which more than half of the entries changed is <em>saturated</em>: its set is
 * replaced by {@link #ALL} and later writes to it cost one array read. Its next delta is the whole
 * key group anyway, and tracking memory stays bounded by half the state. A fresh state (no entries
 * yet) saturates after {@link #MIN_TRACKED} entries, so a job that fills its state before its first
 * checkpoint barely tracks.
 */
public final class DirtyKeys {

    /**
     * Marks every entry of a key group as changed: for key groups where most entries changed, and
     * for snapshot transformers (TTL's cleanup in full snapshots) that must see the whole state.
     */
    public static final Object ALL =
            new Object() {
                @Override
                public String toString() {
                    return "ALL";
                }
            };

    /** Entries tracked per key group before saturation is considered at all. */
    static final int MIN_TRACKED = 128;

    /** The one set of a saturated key group: holds {@link #ALL} and rejects writes. */
    private static final HashSet<Object> SATURATED = new SaturatedSet();

    private final int startKeyGroup;
    private final int numberOfKeyGroups;
    private final IntUnaryOperator entriesOfKeyGroup;
    private final int[] limits;
    private HashSet<Object>[] byKeyGroup;

    /**
     * @param entriesOfKeyGroup the number of entries the state holds now in a key group; asked only
     *     when a key group's set outgrows its last limit
     */
    public DirtyKeys(KeyGroupRange keyGroupRange, IntUnaryOperator entriesOfKeyGroup) {
        this.startKeyGroup = keyGroupRange.getStartKeyGroup();
        this.numberOfKeyGroups = keyGroupRange.getNumberOfKeyGroups();
        this.entriesOfKeyGroup = entriesOfKeyGroup;
        this.limits = new int[numberOfKeyGroups];
        Arrays.fill(limits, MIN_TRACKED);
        this.byKeyGroup = newSets(numberOfKeyGroups);
    }

    /** Marks {@code (key, namespace)} of key group {@code keyGroup} as changed. */
    public void mark(int keyGroup, Object key, Object namespace) {
        if (byKeyGroup[keyGroup - startKeyGroup] != SATURATED) {
            add(keyGroup, entryId(key, namespace));
        }
    }

    /**
     * Marks one user key of the map held at {@code (key, namespace)} as changed: the next snapshot
     * writes that user entry, not the whole map, unless the whole entry is marked too.
     */
    public void markMapEntry(int keyGroup, Object key, Object namespace, Object userKey) {
        if (byKeyGroup[keyGroup - startKeyGroup] != SATURATED) {
            add(keyGroup, new MapEntryId(entryId(key, namespace), userKey));
        }
    }

    /** Marks the whole key group as changed: the next snapshot writes all of its entries. */
    public void markAll(int keyGroup) {
        byKeyGroup[keyGroup - startKeyGroup] = SATURATED;
    }

    /** Marks a priority queue element of key group {@code keyGroup} as added or removed. */
    public void markElement(int keyGroup, Object element) {
        add(keyGroup, element);
    }

    private void add(int keyGroup, Object id) {
        int index = keyGroup - startKeyGroup;
        HashSet<Object> set = byKeyGroup[index];
        if (set == SATURATED) {
            return;
        }
        if (set == null) {
            set = new DirtySet();
            byKeyGroup[index] = set;
        }
        boolean added = set.add(id);
        if (added && id instanceof MapEntryId) {
            ((DirtySet) set).mapEntries++;
        }
        if (added && set.size() > limits[index]) {
            int limit = Math.max(MIN_TRACKED, entriesOfKeyGroup.applyAsInt(keyGroup) / 2);
            if (set.size() > limit) {
                byKeyGroup[index] = SATURATED;
            } else {
                limits[index] = limit;
            }
        }
    }

    /** The key groups whose next delta holds all of their entries. */
    public int saturatedKeyGroups() {
        int saturated = 0;
        for (HashSet<Object> set : byKeyGroup) {
            saturated += set == SATURATED ? 1 : 0;
        }
        return saturated;
    }

    /** How many ids of a set drained from this class are {@link MapEntryId}s. */
    public static int mapEntries(HashSet<Object> set) {
        return set instanceof DirtySet ? ((DirtySet) set).mapEntries : 0;
    }

    /** Whether a set drained from this class stands for every entry of its key group. */
    public static boolean isAll(HashSet<Object> set) {
        return set == SATURATED || set.contains(ALL);
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

    /** The key of an id made by {@link #entryId}. */
    public static Object keyOf(Object entryId) {
        return entryId instanceof KeyAndNamespace ? ((KeyAndNamespace) entryId).key : entryId;
    }

    /** The namespace of an id made by {@link #entryId}. */
    public static Object namespaceOf(Object entryId) {
        return entryId instanceof KeyAndNamespace
                ? ((KeyAndNamespace) entryId).namespace
                : VoidNamespace.INSTANCE;
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

    /** One user key of the map held at an entry (an id made by {@link #entryId}). */
    public static final class MapEntryId {
        private final Object entry;
        private final Object userKey;

        MapEntryId(Object entry, Object userKey) {
            this.entry = entry;
            this.userKey = userKey;
        }

        /** The entry id of the {@code (key, namespace)} whose map holds the user key. */
        public Object entry() {
            return entry;
        }

        public Object userKey() {
            return userKey;
        }

        @Override
        public boolean equals(Object o) {
            if (this == o) {
                return true;
            }
            if (!(o instanceof MapEntryId)) {
                return false;
            }
            MapEntryId that = (MapEntryId) o;
            return entry.equals(that.entry) && Objects.equals(userKey, that.userKey);
        }

        @Override
        public int hashCode() {
            return 31 * entry.hashCode() + Objects.hashCode(userKey);
        }

        @Override
        public String toString() {
            return entry + "[" + userKey + "]";
        }
    }

    /** A key group's dirty set, counting the user keys of maps among its ids as they are added. */
    private static final class DirtySet extends HashSet<Object> {
        private static final long serialVersionUID = 1L;

        int mapEntries;
    }

    /** The set of a saturated key group; shared, so it must never change. */
    private static final class SaturatedSet extends HashSet<Object> {
        private static final long serialVersionUID = 1L;

        SaturatedSet() {
            super.add(ALL);
        }

        @Override
        public boolean add(Object o) {
            throw new UnsupportedOperationException("A saturated key group takes no entries");
        }

        @Override
        public boolean remove(Object o) {
            throw new UnsupportedOperationException("A saturated key group takes no entries");
        }

        @Override
        public void clear() {
            throw new UnsupportedOperationException("A saturated key group takes no entries");
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
