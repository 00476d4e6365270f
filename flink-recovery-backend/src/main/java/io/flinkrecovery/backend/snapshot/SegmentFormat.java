package io.flinkrecovery.backend.snapshot;

/**
 * The layout of a segment: a 16-byte header (magic, version, checkpoint id), then blocks. A block
 * is {@code int keyGroup, byte kind, int sections}, then per section {@code byte stateType, UTF
 * name, int count} and its records:
 *
 * <ul>
 *   <li>keyed base: {@code (namespace, key, value)} per entry, as Flink's heap writes them;
 *   <li>keyed delta: {@code byte op, namespace, key} and, for {@link #PUT}, the value; for {@link
 *       #PATCH} (map state) the changed user keys of the map: {@code int count}, then per user key
 *       {@code byte op (PUT or DELETE), user key} and for a put {@code boolean isNull} and the
 *       value unless null. A patch of a map that does not exist creates it; one that empties it
 *       removes the entry;
 *   <li>priority queue base: the elements; delta: {@code byte op, element}.
 *   <li>replacing sections in a delta ({@link #KEYED_STATE_REPLACE}, {@link
 *       #PRIORITY_QUEUE_REPLACE}): like a base, after every earlier entry of that state in the key
 *       group is dropped. Written when more than half of a key group changed.
 * </ul>
 *
 * <p>A block is stored either as serialized above or compressed as a whole ({@link
 * BlockCompression}); the manifest says which, and gives the CRC32C of the stored bytes. The
 * header's version stays 1: the segment's layout did not change, only how its manifest describes a
 * block (manifest version 2).
 */
public final class SegmentFormat {

    /** "FRIS": flink-recovery incremental segment. */
    public static final int MAGIC = 0x46524953;

    public static final int VERSION = 1;

    public static final byte KEYED_STATE = 1;
    public static final byte PRIORITY_QUEUE = 2;

    /** In a delta: all entries of a keyed state in the key group, replacing the earlier ones. */
    public static final byte KEYED_STATE_REPLACE = 3;

    /**
     * In a delta: all elements of a priority queue in the key group, replacing the earlier ones.
     */
    public static final byte PRIORITY_QUEUE_REPLACE = 4;

    public static final byte PUT = 1;
    public static final byte DELETE = 2;

    /** In a keyed delta of map state: some user keys of the map changed. */
    public static final byte PATCH = 3;

    private SegmentFormat() {}
}
