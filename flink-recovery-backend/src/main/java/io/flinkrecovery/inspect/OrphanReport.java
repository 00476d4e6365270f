package io.flinkrecovery.inspect;

import io.flinkrecovery.objectstore.ObjectInfo;
import io.flinkrecovery.objectstore.PendingUpload;

import java.util.List;

/**
 * Objects in a job directory that no retained checkpoint references. Only those older than the
 * grace period are orphans; younger ones may belong to a checkpoint in progress. Likewise for
 * multipart uploads in the job directory that were never completed.
 */
public final class OrphanReport {

    private final String jobDirectory;
    private final int liveObjects;
    private final List<ObjectInfo> orphans;
    private final List<PendingUpload> abandonedUploads;
    private final int tooYoung;
    private final int workingFiles;
    private final boolean deleted;

    OrphanReport(
            String jobDirectory,
            int liveObjects,
            List<ObjectInfo> orphans,
            List<PendingUpload> abandonedUploads,
            int tooYoung,
            int workingFiles,
            boolean deleted) {
        this.jobDirectory = jobDirectory;
        this.liveObjects = liveObjects;
        this.orphans = List.copyOf(orphans);
        this.abandonedUploads = List.copyOf(abandonedUploads);
        this.tooYoung = tooYoung;
        this.workingFiles = workingFiles;
        this.deleted = deleted;
    }

    public String jobDirectory() {
        return jobDirectory;
    }

    /** Objects some retained {@code _metadata} references (including the metadata itself). */
    public int liveObjects() {
        return liveObjects;
    }

    public List<ObjectInfo> orphans() {
        return orphans;
    }

    public long orphanBytes() {
        return orphans.stream().mapToLong(ObjectInfo::size).sum();
    }

    /** Multipart uploads older than the grace period that were never completed nor aborted. */
    public List<PendingUpload> abandonedUploads() {
        return abandonedUploads;
    }

    /** Unreferenced objects left alone because they are younger than the grace period. */
    public int tooYoung() {
        return tooYoung;
    }

    /**
     * Unreferenced objects left alone because a running state backend writes them before any
     * checkpoint references them (ForSt's working files under {@code shared/op_*_attempt_*}).
     */
    public int workingFiles() {
        return workingFiles;
    }

    /** Whether the orphans were deleted and the uploads aborted (false for a dry run). */
    public boolean deleted() {
        return deleted;
    }
}
