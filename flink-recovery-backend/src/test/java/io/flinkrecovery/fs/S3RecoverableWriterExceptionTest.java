package io.flinkrecovery.fs;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem.WriteMode;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.fs.RecoverableFsDataOutputStream;
import org.apache.flink.core.fs.RecoverableWriter;
import org.apache.flink.core.fs.RecoverableWriter.ResumeRecoverable;

import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.s3.S3ClientSettings;
import io.flinkrecovery.objectstore.s3.S3ObjectStores;
import io.flinkrecovery.testing.EmbeddedS3Extension;
import io.flinkrecovery.testing.FaultInjector.Fault;
import io.flinkrecovery.testing.FaultInjector.Operation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.UUID;

import static io.flinkrecovery.fs.RecoverableWriterTesting.PART_SIZE;
import static io.flinkrecovery.fs.RecoverableWriterTesting.bytes;
import static io.flinkrecovery.fs.RecoverableWriterTesting.contents;
import static io.flinkrecovery.fs.RecoverableWriterTesting.fileSystem;
import static io.flinkrecovery.fs.RecoverableWriterTesting.objectsBelow;
import static io.flinkrecovery.fs.RecoverableWriterTesting.pendingUploadsBelow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What goes wrong with the recoverable writer, on the cases of Flink's {@code
 * HadoopS3RecoverableWriterExceptionITCase} (writing after closeForCommit, resuming after a commit,
 * resuming from an older point after a commit) and on what an object store adds: a commit that
 * would publish other bytes than the object already committed, a missing tail, a failed part, and
 * the uploads that a failed attempt leaves.
 */
class S3RecoverableWriterExceptionTest {

    @RegisterExtension
    static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("writer-exceptions");

    private static final String DATA_1 = "THIS IS A TEST 1.";
    private static final String DATA_2 = "THIS IS A TEST 2.";
    private static final String DATA_3 = "THIS IS A TEST 3.";

    private Path dir;
    private Path file;
    private ObjectLocation location;

    @BeforeAll
    static void registerFileSystem() {
        RecoverableWriterTesting.registerFileSystem(S3);
    }

    @BeforeEach
    void newDirectory() {
        dir = new Path("s3://" + S3.bucket() + "/writer-" + UUID.randomUUID());
        file = new Path(dir, "part-0");
        location = ObjectLocation.parse(file.toUri());
    }

    private RecoverableWriter writer() throws IOException {
        return fileSystem(dir).createRecoverableWriter();
    }

    @Test
    void writingAfterCloseForCommitFails() throws Exception {
        RecoverableFsDataOutputStream stream = writer().open(file);
        stream.write(bytes(DATA_1));
        RecoverableFsDataOutputStream.Committer committer = stream.closeForCommit();

        assertThatThrownBy(() -> stream.write(bytes(DATA_2)))
                .isInstanceOf(IOException.class)
                .hasMessage("Cannot write " + location + ": the stream is closed");
        assertThatThrownBy(stream::persist)
                .isInstanceOf(IOException.class)
                .hasMessage("Cannot write " + location + ": the stream is closed");
        committer.commit();
        assertThat(contents(file)).isEqualTo(DATA_1);
    }

    /**
     * Flink's S3 tests: resuming after the commit fails at the latest when committing, because the
     * upload is gone. (S3 refuses the part already; S3Proxy accepts it, and the completion fails.)
     */
    @Test
    void resumingAfterTheCommitFailsAndLeavesTheCommittedFile() throws Exception {
        RecoverableWriter writer = writer();
        RecoverableFsDataOutputStream stream = writer.open(file);
        stream.write(bytes(DATA_1));
        ResumeRecoverable recoverable = stream.persist();
        stream.write(bytes(DATA_2));
        stream.closeForCommit().commit();

        RecoverableFsDataOutputStream resumed = writer.recover(recoverable);

        assertThatThrownBy(() -> resumed.closeForCommit().commit())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Cannot commit " + location + ": its multipart upload ")
                .hasMessageEndingWith(
                        "no longer exists, and the object at its key has "
                                + (DATA_1.length() + DATA_2.length())
                                + " bytes, not the "
                                + DATA_1.length()
                                + " this upload holds (it was committed from another point)");
        assertThat(contents(file)).isEqualTo(DATA_1 + DATA_2);
    }

    /**
     * Flink's S3 tests: after committing from one persist point, committing from a later one of the
     * same upload fails, naming the lengths; the committed file stays as it was.
     */
    @Test
    void committingFromAnotherPointAfterACommitFailsNamingTheLengths() throws Exception {
        RecoverableWriter writer = writer();
        RecoverableFsDataOutputStream stream = writer.open(file);
        stream.write(bytes(DATA_1));
        ResumeRecoverable first = stream.persist();
        stream.write(bytes(DATA_2));
        ResumeRecoverable second = stream.persist();
        stream.write(bytes(DATA_3));

        writer.recover(first).closeForCommit().commit();
        RecoverableFsDataOutputStream fromSecond = writer.recover(second);

        assertThatThrownBy(() -> fromSecond.closeForCommit().commitAfterRecovery())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Cannot commit " + location + ": its multipart upload ")
                .hasMessageContaining(
                        "no longer exists, and the object at its key has "
                                + DATA_1.length()
                                + " bytes, not the "
                                + (DATA_1.length() + DATA_2.length())
                                + " this upload holds");
        assertThat(contents(file)).isEqualTo(DATA_1);
    }

    @Test
    void committingAgainAfterAnotherWriterReplacedTheFileFails() throws Exception {
        RecoverableFsDataOutputStream.Committer committer = committedFile(DATA_1);
        try (FSDataOutputStream out = fileSystem(file).create(file, WriteMode.OVERWRITE)) {
            out.write(bytes(DATA_2));
        }

        assertThatThrownBy(committer::commitAfterRecovery)
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Cannot commit " + location)
                .hasMessageEndingWith(
                        "no longer exists, and the object at its key was written by someone else");
        assertThat(contents(file)).isEqualTo(DATA_2);
    }

    @Test
    void committingAgainAfterTheFileWasDeletedFails() throws Exception {
        RecoverableFsDataOutputStream.Committer committer = committedFile(DATA_1);
        fileSystem(file).delete(file, false);

        assertThatThrownBy(committer::commitAfterRecovery)
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Cannot commit " + location)
                .hasMessageEndingWith(
                        "no longer exists, and no object exists at its key (was it deleted, or"
                                + " the upload aborted?)");
        assertThat(objectsBelow(dir)).isEmpty();
    }

    @Test
    void recoveringWithoutItsTailObjectNamesIt() throws Exception {
        RecoverableWriter writer = writer();
        RecoverableFsDataOutputStream stream = writer.open(file);
        stream.write(bytes(DATA_1));
        S3Recoverable recoverable = (S3Recoverable) stream.persist();
        stream.close();
        writer.cleanupRecoverableState(recoverable);

        assertThatThrownBy(() -> writer.recover(recoverable))
                .isInstanceOf(FileNotFoundException.class)
                .hasMessage(
                        "Cannot recover "
                                + location
                                + ": its tail object "
                                + recoverable.tail()
                                + " is missing (deleted after a later checkpoint?)");
        fileSystem(file).objectStore().abortMultipartUpload(location, recoverable.uploadId());
    }

    @Test
    void aRecoverableOfAnotherFileSystemIsRefused() throws Exception {
        ResumeRecoverable foreign = new ResumeRecoverable() {};

        assertThatThrownBy(() -> writer().recover(foreign))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith(
                        ": it was written by another file system's recoverable writer, not by"
                                + " flink-recovery's s3 file system");
    }

    /**
     * A failed or cancelled attempt closes its streams without committing them: an upload that no
     * checkpoint can reference is aborted, one that was persisted stays for its recovery.
     */
    @Test
    void closeAbortsOnlyAnUploadNoCheckpointReferences() throws Exception {
        RecoverableWriter writer = writer();
        RecoverableFsDataOutputStream abandoned = writer.open(new Path(dir, "abandoned"));
        abandoned.write(new byte[PART_SIZE + 10]);
        RecoverableFsDataOutputStream persisted = writer.open(file);
        persisted.write(bytes(DATA_1));
        ResumeRecoverable checkpointed = persisted.persist();
        persisted.write(bytes(DATA_2));

        abandoned.close();
        abandoned.close();
        persisted.close();

        assertThat(pendingUploadsBelow(dir)).containsExactly("part-0");
        writer.recover(checkpointed).closeForCommit().commit();
        assertThat(contents(file)).isEqualTo(DATA_1);
        assertThat(pendingUploadsBelow(dir)).isEmpty();
    }

    @Test
    void aFailedPartFailsTheWriteNamingThePartAndCloseAbortsTheUpload() throws Exception {
        Configuration config = Configuration.fromMap(S3.flinkConfig());
        config.setString("recovery.s3.retry.max-attempts", "1");
        S3FileSystem noRetries =
                new S3FileSystem(
                        dir.toUri(),
                        S3ObjectStores.forSettings(S3ClientSettings.fromConfig(config)),
                        PART_SIZE);
        RecoverableFsDataOutputStream stream = noRetries.createRecoverableWriter().open(file);
        S3.faults().failNext(Operation.UPLOAD_PART, 1, Fault.INTERNAL_ERROR);

        assertThatThrownBy(() -> stream.write(new byte[PART_SIZE]))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Cannot upload part 1 of multipart upload ")
                .hasMessageContaining(" of " + location + ": HTTP 500 InternalError");
        stream.close();
        assertThat(pendingUploadsBelow(dir)).isEmpty();
        assertThat(objectsBelow(dir)).isEmpty();
    }

    @Test
    void aFailedCompletionIsRetriedByTheNextCommit() throws Exception {
        Configuration config = Configuration.fromMap(S3.flinkConfig());
        config.setString("recovery.s3.retry.max-attempts", "1");
        S3FileSystem noRetries =
                new S3FileSystem(
                        dir.toUri(),
                        S3ObjectStores.forSettings(S3ClientSettings.fromConfig(config)),
                        PART_SIZE);
        RecoverableFsDataOutputStream stream = noRetries.createRecoverableWriter().open(file);
        stream.write(bytes(DATA_1));
        RecoverableFsDataOutputStream.Committer committer = stream.closeForCommit();
        S3.faults().failNext(Operation.COMPLETE_MULTIPART, 1, Fault.INTERNAL_ERROR);

        assertThatThrownBy(committer::commit)
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Cannot complete multipart upload ")
                .hasMessageContaining(" of " + location + ": HTTP 500 InternalError");
        assertThat(objectsBelow(dir)).isEmpty();

        committer.commitAfterRecovery();
        assertThat(contents(file)).isEqualTo(DATA_1);
        assertThat(pendingUploadsBelow(dir)).isEmpty();
    }

    private RecoverableFsDataOutputStream.Committer committedFile(String data) throws Exception {
        RecoverableFsDataOutputStream stream = writer().open(file);
        stream.write(bytes(data));
        RecoverableFsDataOutputStream.Committer committer = stream.closeForCommit();
        committer.commit();
        assertThat(pendingUploadsBelow(dir)).isEmpty();
        return committer;
    }
}
