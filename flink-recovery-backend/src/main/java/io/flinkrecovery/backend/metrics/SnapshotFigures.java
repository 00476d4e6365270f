package io.flinkrecovery.backend.metrics;

/**
 * What one checkpoint of one subtask uploaded and referenced, and the shape of the state it
 * describes: the figures the inspector reads back from the checkpoint's manifest and handles.
 */
public final class SnapshotFigures {

    /** Before the first checkpoint: no id, and zero everywhere. */
    static final SnapshotFigures NONE = new SnapshotFigures(-1, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    private final long checkpointId;
    private final long segmentBytes;
    private final long manifestBytes;
    private final long reusedBytes;
    private final long chainBytes;
    private final int keyGroups;
    private final int maxChainDepth;
    private final long chainBlocks;
    private final long compactedBytes;
    private final int compactedKeyGroups;

    /**
     * @param segmentBytes the new segment (0 if nothing changed)
     * @param manifestBytes the new manifest
     * @param reusedBytes the earlier segments the checkpoint references, whole
     * @param chainBytes the blocks of every key group's chain: what a restore reads
     * @param keyGroups the key groups that hold state
     * @param maxChainDepth the longest chain, in blocks
     * @param chainBlocks the blocks of all chains
     * @param compactedBytes base blocks written for key groups that had a chain to extend
     * @param compactedKeyGroups how many such key groups
     */
    public SnapshotFigures(
            long checkpointId,
            long segmentBytes,
            long manifestBytes,
            long reusedBytes,
            long chainBytes,
            int keyGroups,
            int maxChainDepth,
            long chainBlocks,
            long compactedBytes,
            int compactedKeyGroups) {
        this.checkpointId = checkpointId;
        this.segmentBytes = segmentBytes;
        this.manifestBytes = manifestBytes;
        this.reusedBytes = reusedBytes;
        this.chainBytes = chainBytes;
        this.keyGroups = keyGroups;
        this.maxChainDepth = maxChainDepth;
        this.chainBlocks = chainBlocks;
        this.compactedBytes = compactedBytes;
        this.compactedKeyGroups = compactedKeyGroups;
    }

    public long checkpointId() {
        return checkpointId;
    }

    /** What the checkpoint uploaded: its segment and its manifest. */
    public long uploadedBytes() {
        return segmentBytes + manifestBytes;
    }

    public long segmentBytes() {
        return segmentBytes;
    }

    public long manifestBytes() {
        return manifestBytes;
    }

    public long reusedBytes() {
        return reusedBytes;
    }

    public long chainBytes() {
        return chainBytes;
    }

    public int keyGroups() {
        return keyGroups;
    }

    public int maxChainDepth() {
        return maxChainDepth;
    }

    /** Blocks per key group that holds state; 0 if none does. */
    public double meanChainDepth() {
        return keyGroups == 0 ? 0 : chainBlocks / (double) keyGroups;
    }

    public long compactedBytes() {
        return compactedBytes;
    }

    public int compactedKeyGroups() {
        return compactedKeyGroups;
    }
}
