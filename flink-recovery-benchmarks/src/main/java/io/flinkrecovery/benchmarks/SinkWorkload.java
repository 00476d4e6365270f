package io.flinkrecovery.benchmarks;

/**
 * What one FileSink job writes: every subtask writes {@code rowsPerFilePerCheckpoint} rows of
 * {@code rowBytes} bytes into each of {@code buckets} bucket directories between two checkpoints,
 * for {@code checkpoints} checkpoints, and a file rolls at every {@code checkpointsPerFile}-th
 * checkpoint (persisted at the ones before). Rows are numbered, so the committed files can be
 * checked for every row exactly once.
 */
record SinkWorkload(
        String name,
        String description,
        int buckets,
        int rowBytes,
        int rowsPerFilePerCheckpoint,
        int checkpointsPerFile,
        int checkpoints) {

    /** The shortest row: "row-", ten digits, a space and the newline. */
    static final int MIN_ROW_BYTES = 16;

    SinkWorkload {
        if (buckets < 1
                || rowBytes < MIN_ROW_BYTES
                || rowsPerFilePerCheckpoint < 1
                || checkpointsPerFile < 1
                || checkpoints < 1) {
            throw new IllegalArgumentException("Invalid workload " + name);
        }
    }

    /** Small files rolled at every checkpoint, as Flink's docs advise for S3. */
    static SinkWorkload rollOnCheckpoint(int checkpoints, int rowsPerFile) {
        return new SinkWorkload(
                "on-checkpoint",
                "files rolled at every checkpoint",
                2,
                100,
                rowsPerFile,
                1,
                checkpoints);
    }

    /** Small files open across three checkpoints: each checkpoint persists them twice. */
    static SinkWorkload openAcrossCheckpoints(int checkpoints, int rowsPerFile) {
        return new SinkWorkload(
                "open-across",
                "files open across 3 checkpoints",
                2,
                100,
                rowsPerFile,
                3,
                checkpoints);
    }

    /**
     * Files of about {@code parts - 0.5} parts of {@code partSize} bytes, written between two
     * checkpoints and rolled at the second, so that each is a multipart upload of {@code parts}
     * parts whose last is half full.
     */
    static SinkWorkload multipart(int checkpoints, long partSize, int parts) {
        int rowBytes = 1024;
        long fileBytes = (long) ((parts - 0.5) * partSize);
        return new SinkWorkload(
                "multipart",
                String.format("files of %.1f MiB (%d parts)", fileBytes / 1048576.0, parts),
                1,
                rowBytes,
                (int) (fileBytes / rowBytes),
                1,
                checkpoints);
    }

    long rowsPerCheckpoint(int parallelism) {
        return (long) rowsPerFilePerCheckpoint * buckets * parallelism;
    }

    long rows(int parallelism) {
        return rowsPerCheckpoint(parallelism) * checkpoints;
    }

    /** The committed files a run must produce. */
    long expectedFiles(int parallelism) {
        long generations = (checkpoints + checkpointsPerFile - 1) / checkpointsPerFile;
        return generations * buckets * parallelism;
    }

    /**
     * The size at which a file rolls at a checkpoint: half a checkpoint's bytes below its size
     * after {@code checkpointsPerFile} checkpoints, so that a row more or less makes no difference.
     */
    long rollBytes() {
        long perCheckpoint = (long) rowsPerFilePerCheckpoint * rowBytes;
        return perCheckpoint * checkpointsPerFile - perCheckpoint / 2;
    }
}
