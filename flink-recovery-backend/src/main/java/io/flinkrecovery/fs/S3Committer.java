package io.flinkrecovery.fs;

import org.apache.flink.core.fs.RecoverableFsDataOutputStream;
import org.apache.flink.core.fs.RecoverableWriter;

import io.flinkrecovery.objectstore.ObjectInfo;
import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.util.Optional;

/**
 * Publishes a file that {@link S3RecoverableFsDataOutputStream} wrote: completes its multipart
 * upload, after which the object appears whole at its key. Idempotent, whether called twice or
 * after a failover that had already committed: once the upload is gone, the object at the key must
 * be ours (tagged with the upload's write id) and have the expected length.
 */
final class S3Committer implements RecoverableFsDataOutputStream.Committer {

    private static final Logger LOG = LoggerFactory.getLogger(S3Committer.class);

    private final ObjectStore store;
    private final S3Recoverable recoverable;

    S3Committer(ObjectStore store, S3Recoverable recoverable) {
        if (recoverable.tail() != null) {
            throw new IllegalArgumentException(
                    "Cannot commit " + recoverable + ": bytes are still in its tail object");
        }
        this.store = store;
        this.recoverable = recoverable;
    }

    /**
     * Completes the upload: one request. An empty file has no part to complete with, so it is
     * created by a conditional PUT of no bytes, and its upload aborted.
     */
    @Override
    public void commit() throws IOException {
        ObjectLocation location = recoverable.location();
        if (recoverable.length() == 0) {
            commitEmpty(location);
            return;
        }
        try {
            store.completeMultipartUpload(location, recoverable.uploadId(), recoverable.parts());
        } catch (FileNotFoundException uploadGone) {
            checkCommittedBefore(uploadGone);
        }
    }

    /** The same as {@link #commit()}, which already tolerates a file committed before. */
    @Override
    public void commitAfterRecovery() throws IOException {
        commit();
    }

    @Override
    public RecoverableWriter.CommitRecoverable getRecoverable() {
        return recoverable;
    }

    private void checkCommittedBefore(FileNotFoundException uploadGone) throws IOException {
        ObjectLocation location = recoverable.location();
        Optional<ObjectInfo> object = store.head(location);
        String problem;
        if (object.isEmpty()) {
            problem = "no object exists at its key (was it deleted, or the upload aborted?)";
        } else if (!object.get().writeId().equals(Optional.of(recoverable.writeId()))) {
            problem = "the object at its key was written by someone else";
        } else if (object.get().size() != recoverable.length()) {
            problem =
                    "the object at its key has "
                            + object.get().size()
                            + " bytes, not the "
                            + recoverable.length()
                            + " this upload holds (it was committed from another point)";
        } else {
            LOG.info(
                    "{} was committed before (multipart upload {}, {} bytes)",
                    location,
                    recoverable.uploadId(),
                    recoverable.length());
            return;
        }
        throw new IOException(
                "Cannot commit "
                        + location
                        + ": its multipart upload "
                        + recoverable.uploadId()
                        + " no longer exists, and "
                        + problem,
                uploadGone);
    }

    private void commitEmpty(ObjectLocation location) throws IOException {
        try {
            store.putIfAbsent(location, new byte[0]);
        } catch (FileAlreadyExistsException e) {
            Optional<ObjectInfo> object = store.head(location);
            if (object.isEmpty() || object.get().size() != 0) {
                throw new IOException(
                        "Cannot commit the empty file "
                                + location
                                + ": another object of "
                                + object.map(o -> o.size() + " bytes").orElse("unknown size")
                                + " exists at its key",
                        e);
            }
        }
        store.abortMultipartUpload(location, recoverable.uploadId());
    }
}
