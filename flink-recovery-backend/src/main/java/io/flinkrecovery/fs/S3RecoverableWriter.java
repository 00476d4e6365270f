package io.flinkrecovery.fs;

import org.apache.flink.core.fs.Path;
import org.apache.flink.core.fs.RecoverableFsDataOutputStream;
import org.apache.flink.core.fs.RecoverableWriter;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectStore;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * The recoverable writer of our {@code s3://} file system, which Flink's {@code FileSink} uses for
 * exactly-once files: each file is one multipart upload that {@link
 * RecoverableFsDataOutputStream#persist()} makes resumable at every checkpoint and that the
 * committer completes. See {@link S3RecoverableFsDataOutputStream} for the buffering and the tail
 * objects, and {@link S3Committer} for why committing twice is safe.
 */
final class S3RecoverableWriter implements RecoverableWriter {

    private final ObjectStore store;
    private final Function<Path, ObjectLocation> locations;
    private final int partSize;

    S3RecoverableWriter(ObjectStore store, Function<Path, ObjectLocation> locations, int partSize) {
        if (partSize < ObjectStore.MIN_PART_SIZE) {
            throw new IllegalArgumentException(
                    "Invalid part size "
                            + partSize
                            + " (must be ≥ "
                            + ObjectStore.MIN_PART_SIZE
                            + ")");
        }
        this.store = store;
        this.locations = locations;
        this.partSize = partSize;
    }

    /** Starts the multipart upload of {@code path}: one request. */
    @Override
    public RecoverableFsDataOutputStream open(Path path) throws IOException {
        ObjectLocation location = locations.apply(path);
        String writeId = UUID.randomUUID().toString();
        String uploadId = store.startMultipartUpload(location, writeId);
        return new S3RecoverableFsDataOutputStream(
                store, location, uploadId, writeId, partSize, List.of(), new byte[0], false);
    }

    /**
     * Resumes the upload where {@code resumable} was taken: reads its tail object back, and numbers
     * the next part after its last. Parts that were uploaded after that point are replaced, or left
     * out when the upload completes.
     */
    @Override
    public RecoverableFsDataOutputStream recover(ResumeRecoverable resumable) throws IOException {
        S3Recoverable recoverable = cast(resumable);
        byte[] tail = recoverable.tail() == null ? new byte[0] : readTail(recoverable);
        return new S3RecoverableFsDataOutputStream(
                store,
                recoverable.location(),
                recoverable.uploadId(),
                recoverable.writeId(),
                partSize,
                recoverable.parts(),
                tail,
                true);
    }

    private byte[] readTail(S3Recoverable recoverable) throws IOException {
        ObjectLocation tail = recoverable.tail();
        byte[] bytes;
        try (InputStream in = store.open(tail)) {
            bytes = in.readAllBytes();
        } catch (FileNotFoundException e) {
            FileNotFoundException missing =
                    new FileNotFoundException(
                            "Cannot recover "
                                    + recoverable.location()
                                    + ": its tail object "
                                    + tail
                                    + " is missing (deleted after a later checkpoint?)");
            missing.initCause(e);
            throw missing;
        }
        if (bytes.length != recoverable.tailLength()) {
            throw new IOException(
                    "Cannot recover "
                            + recoverable.location()
                            + ": its tail object "
                            + tail
                            + " has "
                            + bytes.length
                            + " bytes, but the checkpoint recorded "
                            + recoverable.tailLength());
        }
        return bytes;
    }

    @Override
    public boolean requiresCleanupOfRecoverableState() {
        return true;
    }

    /**
     * Deletes the tail object of {@code resumable}, once Flink no longer needs it. Returns false if
     * it has none. Deleting an already deleted tail is not an error.
     */
    @Override
    public boolean cleanupRecoverableState(ResumeRecoverable resumable) throws IOException {
        S3Recoverable recoverable = cast(resumable);
        if (recoverable.tail() == null) {
            return false;
        }
        store.deleteBatch(List.of(recoverable.tail()));
        return true;
    }

    @Override
    public RecoverableFsDataOutputStream.Committer recoverForCommit(CommitRecoverable resumable) {
        return new S3Committer(store, cast(resumable));
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public SimpleVersionedSerializer<CommitRecoverable> getCommitRecoverableSerializer() {
        return (SimpleVersionedSerializer) S3RecoverableSerializer.INSTANCE;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public SimpleVersionedSerializer<ResumeRecoverable> getResumeRecoverableSerializer() {
        return (SimpleVersionedSerializer) S3RecoverableSerializer.INSTANCE;
    }

    @Override
    public boolean supportsResume() {
        return true;
    }

    private static S3Recoverable cast(Object recoverable) {
        if (recoverable instanceof S3Recoverable) {
            return (S3Recoverable) recoverable;
        }
        throw new IllegalArgumentException(
                "Cannot recover "
                        + recoverable
                        + ": it was written by another file system's recoverable writer, not by"
                        + " flink-recovery's s3 file system");
    }
}
