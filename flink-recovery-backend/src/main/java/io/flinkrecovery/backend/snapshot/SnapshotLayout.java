package io.flinkrecovery.backend.snapshot;

import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.StreamStateHandle;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * What one snapshot of a subtask consists of: for every key group of its range the chain of blocks
 * (a base, then deltas), the real handles of the segments those blocks live in, and the serializer
 * fingerprints the blocks were written with. Immutable once built.
 */
public final class SnapshotLayout {

    private final long checkpointId;
    private final KeyGroupRange keyGroupRange;
    private final List<List<BlockRef>> chains;
    private final Map<String, StreamStateHandle> segments;
    private final Map<String, byte[]> fingerprints;

    public SnapshotLayout(
            long checkpointId,
            KeyGroupRange keyGroupRange,
            List<List<BlockRef>> chains,
            Map<String, StreamStateHandle> segments,
            Map<String, byte[]> fingerprints) {
        if (chains.size() != keyGroupRange.getNumberOfKeyGroups()) {
            throw new IllegalArgumentException(
                    chains.size() + " chains for " + keyGroupRange.prettyPrintInterval());
        }
        this.checkpointId = checkpointId;
        this.keyGroupRange = keyGroupRange;
        this.chains = Collections.unmodifiableList(chains);
        this.segments = Collections.unmodifiableMap(segments);
        this.fingerprints = Collections.unmodifiableMap(fingerprints);
    }

    public long checkpointId() {
        return checkpointId;
    }

    public KeyGroupRange keyGroupRange() {
        return keyGroupRange;
    }

    /** The chain of {@code keyGroup}; empty if the key group held nothing. */
    public List<BlockRef> chain(int keyGroup) {
        return chains.get(keyGroup - keyGroupRange.getStartKeyGroup());
    }

    /** The bytes of every chain's blocks: what restoring all key groups reads. */
    public long blockBytes() {
        long bytes = 0;
        for (List<BlockRef> chain : chains) {
            for (BlockRef block : chain) {
                bytes += block.length();
            }
        }
        return bytes;
    }

    /** Segment name to its real (never placeholder) handle. */
    public Map<String, StreamStateHandle> segments() {
        return segments;
    }

    /** State id ({@code kv:<name>} or {@code pq:<name>}) to its serialized meta info. */
    public Map<String, byte[]> fingerprints() {
        return fingerprints;
    }

    @Override
    public String toString() {
        return "SnapshotLayout{checkpoint "
                + checkpointId
                + ", "
                + keyGroupRange.prettyPrintInterval()
                + ", "
                + segments.size()
                + " segments}";
    }
}
