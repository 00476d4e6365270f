package io.flinkrecovery.backend.metrics;

/** What restoring one subtask's keyed state from our checkpoints took. */
public final class RestoreFigures {

    /** Before any restore from our checkpoints. */
    static final RestoreFigures NONE = new RestoreFigures(-1, 0, 0, 0, false);

    private final long checkpointId;
    private final long durationMillis;
    private final long readBytes;
    private final long blockBytes;
    private final boolean fromLocalCopy;

    /**
     * @param durationMillis from reading the first manifest to the last block applied
     * @param readBytes manifests and ranged reads, superseded blocks read in passing included
     * @param blockBytes the blocks of the restored key groups' chains
     * @param fromLocalCopy whether they were read from the task-local copy instead of S3
     */
    public RestoreFigures(
            long checkpointId,
            long durationMillis,
            long readBytes,
            long blockBytes,
            boolean fromLocalCopy) {
        this.checkpointId = checkpointId;
        this.durationMillis = durationMillis;
        this.readBytes = readBytes;
        this.blockBytes = blockBytes;
        this.fromLocalCopy = fromLocalCopy;
    }

    public long checkpointId() {
        return checkpointId;
    }

    public long durationMillis() {
        return durationMillis;
    }

    public long readBytes() {
        return readBytes;
    }

    public long blockBytes() {
        return blockBytes;
    }

    public boolean fromLocalCopy() {
        return fromLocalCopy;
    }
}
