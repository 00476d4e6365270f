package io.flinkrecovery.storage;

import org.apache.flink.api.common.JobID;
import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.state.CheckpointStorageLocation;
import org.apache.flink.runtime.state.CompletedCheckpointStorageLocation;
import org.apache.flink.runtime.state.filesystem.AbstractFsCheckpointStorageAccess;
import org.apache.flink.runtime.state.filesystem.FsCheckpointStorageAccess;
import org.apache.flink.util.FileUtils;

import io.flinkrecovery.fs.S3FileSystem;
import io.flinkrecovery.objectstore.ObjectLocation;

import javax.annotation.Nullable;

import java.io.IOException;

/**
 * Flink's file-system checkpoint layout ({@code <job>/chk-<n>}, {@code shared/}, {@code
 * taskowned/}) on our {@link S3FileSystem}. Flink's own streams write the state objects, inline
 * small state and write {@code _metadata} last through a {@code NO_OVERWRITE} create, which our
 * file system turns into a conditional create: the commit point. Disposing a checkpoint deletes
 * only its {@code chk-<n>} prefix, never {@code shared/}.
 */
final class S3CheckpointStorageAccess extends FsCheckpointStorageAccess {

    private final S3FileSystem s3;
    private final JobID jobId;
    @Nullable private final Path defaultSavepointDirectory;
    private final CheckpointResolver resolver;

    S3CheckpointStorageAccess(
            S3FileSystem fs,
            Path checkpointBaseDirectory,
            @Nullable Path defaultSavepointDirectory,
            boolean createCheckpointSubDirs,
            JobID jobId,
            int inlineThreshold,
            int writeBufferSize,
            CheckpointResolver resolver)
            throws IOException {
        super(
                fs,
                checkpointBaseDirectory,
                defaultSavepointDirectory,
                createCheckpointSubDirs,
                jobId,
                inlineThreshold,
                writeBufferSize);
        this.s3 = fs;
        this.jobId = jobId;
        this.defaultSavepointDirectory = defaultSavepointDirectory;
        this.resolver = resolver;
    }

    /**
     * Called on the JobManager when the job starts: S3 has no directories to create, so probe the
     * job's prefix instead, to fail fast with a clear error on a missing bucket or bad credentials.
     */
    @Override
    public void initializeBaseLocationsForCheckpoint() throws IOException {
        s3.objectStore().listDirectory(ObjectLocation.parse(checkpointsDirectory.toUri()));
    }

    @Override
    public CompletedCheckpointStorageLocation resolveCheckpoint(String pointer) throws IOException {
        return CheckpointPointers.isS3Pointer(pointer)
                ? resolver.resolve(s3, pointer)
                : AbstractFsCheckpointStorageAccess.resolveCheckpointPointer(pointer);
    }

    /** Like Flink's, but writes {@code s3://} savepoints through our file system. */
    @Override
    public CheckpointStorageLocation initializeLocationForSavepoint(
            long checkpointId, @Nullable String externalLocationPointer) throws IOException {
        Path base =
                externalLocationPointer != null
                        ? new Path(externalLocationPointer)
                        : defaultSavepointDirectory;
        if (base == null || !CheckpointPointers.isS3Pointer(base.toString())) {
            return super.initializeLocationForSavepoint(checkpointId, externalLocationPointer);
        }
        String prefix = "savepoint-" + jobId.toString().substring(0, 6) + '-';
        return createSavepointLocation(s3, new Path(base, FileUtils.getRandomFilename(prefix)));
    }
}
