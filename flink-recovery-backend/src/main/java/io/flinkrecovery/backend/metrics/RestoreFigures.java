package io.flinkrecovery.backend.metrics;

/** What restoring one subtask's keyed state from our checkpoints took. */
public final class RestoreFigures {

    /** Before any restore from our checkpoints. */
    static final RestoreFigures NONE = new RestoreFigures(-1, 0, 0, 0, false, 0);

    private final long checkpointId;
    private final long durationMillis;
    private final long readBytes;
    private final long blockBytes;
    private final boolean fromLocalCopy;
    private final int deferredKeyGroups;

    /**
     * @param durationMillis from reading the first manifest until the task could run: every block
     *     applied, or, for deferred key groups, the timers
     * @param readBytes manifests and ranged reads, superseded blocks read in passing included, and
     *     reads for deferred key groups that go on after the task started
     * @param blockBytes the blocks of the restored key groups' chains
     * @param fromLocalCopy whether they were read from the task-local copy instead of S3
     * @param deferredKeyGroups key groups whose keyed state was applied after the task started
     */
    public RestoreFigures(
            long checkpointId,
            long durationMillis,
            long readBytes,
            long blockBytes,
            boolean fromLocalCopy,
            int deferredKeyGroups) {
        this.checkpointId = checkpointId;
        this.durationMillis = durationMillis;
        this.readBytes = readBytes;
        this.blockBytes = blockBytes;
        this.fromLocalCopy = fromLocalCopy;
        this.deferredKeyGroups = deferredKeyGroups;
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

    public int deferredKeyGroups() {
        return deferredKeyGroups;
    }
}
