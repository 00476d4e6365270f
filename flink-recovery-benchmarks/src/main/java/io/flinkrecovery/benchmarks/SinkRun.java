package io.flinkrecovery.benchmarks;

import io.flinkrecovery.objectstore.RequestCounters;
import io.flinkrecovery.testing.RequestCounts;

/**
 * What one FileSink job through one file system did: the requests the S3 server received while it
 * ran, and what it left in the bucket.
 *
 * @param servedBy the class of the file system that served {@code s3://}
 * @param failure why the job failed, or null if it finished
 * @param failedCheckpoints checkpoints between two batches that failed and were triggered again
 * @param server the requests the server received from the job's start to its end
 * @param client our own client counters over the same time; null for Flink's file systems
 * @param output what the run left below its output directory
 */
record SinkRun(
        SinkWorkload workload,
        int parallelism,
        SinkFileSystem fileSystem,
        String servedBy,
        Throwable failure,
        int failedCheckpoints,
        RequestCounts server,
        RequestCounters.Snapshot client,
        SinkOutput output,
        double seconds) {

    long committedFiles() {
        return output.committedFiles();
    }

    long committedBytes() {
        return output.committedBytes();
    }

    RowCheck rows() {
        return output.rows();
    }

    boolean finished() {
        return failure == null;
    }

    /** Server-side requests of {@code kind} per committed file. */
    double perFile(long requests) {
        return committedFiles() == 0 ? Double.NaN : (double) requests / committedFiles();
    }

    /** Object bytes uploaded for each byte committed. */
    double uploadAmplification() {
        return committedBytes() == 0
                ? Double.NaN
                : (double) server.payloadBytes() / committedBytes();
    }

    /** The root cause of the failure, in one line. */
    String failureSummary() {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
}
