package io.flinkrecovery.backend.metrics;

/** What restoring one subtask's keyed state from our checkpoints took. */
public final class RestoreFigures {

    /** Before any restore from our checkpoints. */
    static final RestoreFigures NONE = new RestoreFigures(-1, 0, 0, 0);

    private final long checkpointId;
    private final long durationMillis;
    private final long downloadedBytes;
    private final long blockBytes;

    /**
     * @param durationMillis from reading the first manifest to the last block applied
     * @param downloadedBytes manifests and ranged reads, superseded blocks read in passing included
     * @param blockBytes the blocks of the restored key groups' chains
     */
    public RestoreFigures(
            long checkpointId, long durationMillis, long downloadedBytes, long blockBytes) {
        this.checkpointId = checkpointId;
        this.durationMillis = durationMillis;
        this.downloadedBytes = downloadedBytes;
        this.blockBytes = blockBytes;
    }

    public long checkpointId() {
        return checkpointId;
    }

    public long durationMillis() {
        return durationMillis;
    }

    public long downloadedBytes() {
        return downloadedBytes;
    }

    public long blockBytes() {
        return blockBytes;
    }
}
