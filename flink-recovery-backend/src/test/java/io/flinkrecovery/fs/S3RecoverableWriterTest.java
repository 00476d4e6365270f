package io.flinkrecovery.fs;

import org.apache.flink.core.fs.Path;
import org.apache.flink.core.fs.RecoverableFsDataOutputStream;
import org.apache.flink.core.fs.RecoverableWriter;
import org.apache.flink.core.fs.RecoverableWriter.CommitRecoverable;
import org.apache.flink.core.fs.RecoverableWriter.ResumeRecoverable;

import io.flinkrecovery.objectstore.RequestCounters;
import io.flinkrecovery.objectstore.RequestKind;
import io.flinkrecovery.objectstore.UploadedPart;
import io.flinkrecovery.testing.EmbeddedS3Extension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.EnumMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import static io.flinkrecovery.fs.RecoverableWriterTesting.PART_SIZE;
import static io.flinkrecovery.fs.RecoverableWriterTesting.bytes;
import static io.flinkrecovery.fs.RecoverableWriterTesting.chunkOf;
import static io.flinkrecovery.fs.RecoverableWriterTesting.contents;
import static io.flinkrecovery.fs.RecoverableWriterTesting.fileSystem;
import static io.flinkrecovery.fs.RecoverableWriterTesting.objectsBelow;
import static io.flinkrecovery.fs.RecoverableWriterTesting.pendingUploadsBelow;
import static io.flinkrecovery.fs.RecoverableWriterTesting.throughCheckpoint;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The recoverable writer of our {@code s3://} file system, on the cases Flink's {@code
 * HadoopS3RecoverableWriterITCase} covers for its S3 writer (write, persist, recover, commit, the
 * cleanup of recoverable state, data below and above the part minimum), plus what an object store
 * adds: nothing is visible before the commit, committing is idempotent, and no upload is left
 * pending.
 */
class S3RecoverableWriterTest {

    @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("writer-test");

    private static final String DATA_1 = "THIS IS A TEST 1.";
    private static final String DATA_2 = "THIS IS A TEST 2.";
    private static final String DATA_3 = "THIS IS A TEST 3.";

    /** Above the part size, so that writing it uploads a part. */
    private static final String BIG_CHUNK = chunkOf(DATA_1, PART_SIZE + 1024);

    private Path dir;
    private Path file;

    @BeforeAll
    static void registerFileSystem() {
        RecoverableWriterTesting.registerFileSystem(S3);
    }

    @BeforeEach
    void newDirectory() {
        dir = new Path("s3://" + S3.bucket() + "/writer-" + UUID.randomUUID());
        file = new Path(dir, "part-0");
    }

    @AfterEach
    void noUploadIsLeftPending() throws Exception {
        assertThat(pendingUploadsBelow(dir)).isEmpty();
    }

    private RecoverableWriter writer() throws Exception {
        return fileSystem(dir).createRecoverableWriter();
    }

    @Test
    void closeWithNoDataCommitsAnEmptyFile() throws Exception {
        RecoverableFsDataOutputStream stream = writer().open(file);

        stream.closeForCommit().commit();

        assertThat(objectsBelow(dir)).containsExactly("part-0 (0)");
    }

    @Test
    void commitAfterNormalCloseCostsThreeRequests() throws Exception {
        RequestCounters counters = fileSystem(dir).objectStore().counters();
        RequestCounters.Snapshot before = counters.snapshot();
        RecoverableFsDataOutputStream stream = writer().open(file);
        stream.write(bytes(DATA_1));
        RecoverableFsDataOutputStream.Committer committer = stream.closeForCommit();
        assertThat(objectsBelow(dir)).as("nothing visible before the commit").isEmpty();

        committer.commit();

        assertThat(contents(file)).isEqualTo(DATA_1);
        RequestCounters.Snapshot sent = counters.snapshot().minus(before);
        assertThat(sent.requests(RequestKind.MULTIPART_CONTROL))
                .as("create, complete")
                .isEqualTo(2);
        assertThat(sent.requests(RequestKind.MULTIPART_PART)).isEqualTo(1);
        assertThat(sent.requests(RequestKind.PUT) + sent.requests(RequestKind.HEAD)).isZero();
    }

    @Test
    void commitAfterPersistHoldsEverythingWritten() throws Exception {
        RecoverableFsDataOutputStream stream = writer().open(file);
        stream.write(bytes(DATA_1));
        S3Recoverable persisted = (S3Recoverable) stream.persist();
        stream.write(bytes(DATA_2));
        assertThat(stream.getPos()).isEqualTo(DATA_1.length() + DATA_2.length());

        stream.closeForCommit().commit();

        assertThat(contents(file)).isEqualTo(DATA_1 + DATA_2);
        assertThat(persisted.tail().name()).startsWith(".part-0.tail.");
        assertThat(persisted.tailLength()).isEqualTo(DATA_1.length());
    }

    @Test
    void cleanupDeletesTheTailObjectAndMayBeRepeated() throws Exception {
        RecoverableWriter writer = writer();
        RecoverableFsDataOutputStream stream = writer.open(file);
        stream.write(bytes(DATA_1));
        S3Recoverable recoverable = (S3Recoverable) stream.persist();
        stream.closeForCommit().commit();
        assertThat(contents(new Path(recoverable.tail().toUri()))).isEqualTo(DATA_1);
        assertThat(writer.requiresCleanupOfRecoverableState()).isTrue();

        assertThat(writer.cleanupRecoverableState(recoverable)).isTrue();
        assertThat(writer.cleanupRecoverableState(recoverable)).isTrue();

        assertThat(objectsBelow(dir)).containsExactly("part-0 (" + DATA_1.length() + ")");
    }

    @Test
    void persistWithoutBufferedBytesHasNoTailAndNothingToCleanUp() throws Exception {
        RecoverableWriter writer = writer();
        RecoverableFsDataOutputStream stream = writer.open(file);
        S3Recoverable empty = (S3Recoverable) stream.persist();

        assertThat(empty.tail()).isNull();
        assertThat(writer.cleanupRecoverableState(empty)).isFalse();
        stream.closeForCommit().commit();
    }

    @Test
    void commitAfterRecoveryWithAFreshWriter() throws Exception {
        RecoverableWriter initial = writer();
        RecoverableFsDataOutputStream stream = initial.open(file);
        stream.write(bytes(DATA_1));
        stream.persist();
        stream.persist();
        stream.write(bytes(DATA_2));
        CommitRecoverable recoverable = stream.closeForCommit().getRecoverable();

        RecoverableWriter fresh = writer();
        fresh.recoverForCommit(throughCheckpoint(recoverable, initial, fresh))
                .commitAfterRecovery();

        assertThat(contents(file)).isEqualTo(DATA_1 + DATA_2);
    }

    @Test
    void committingTwiceAndAfterARecoveryThatAlreadyCommittedSucceeds() throws Exception {
        RecoverableWriter writer = writer();
        RecoverableFsDataOutputStream stream = writer.open(file);
        stream.write(bytes(BIG_CHUNK));
        stream.write(bytes(DATA_2));
        RecoverableFsDataOutputStream.Committer committer = stream.closeForCommit();
        CommitRecoverable recoverable = committer.getRecoverable();

        committer.commit();
        committer.commit();
        RecoverableWriter afterFailover = writer();
        afterFailover
                .recoverForCommit(throughCheckpoint(recoverable, writer, afterFailover))
                .commitAfterRecovery();

        assertThat(contents(file)).isEqualTo(BIG_CHUNK + DATA_2);
    }

    @Test
    void anEmptyFileCommitsTwice() throws Exception {
        RecoverableFsDataOutputStream.Committer committer = writer().open(file).closeForCommit();

        committer.commit();
        committer.commitAfterRecovery();

        assertThat(objectsBelow(dir)).containsExactly("part-0 (0)");
    }

    /**
     * Parts go up when the buffer reaches the part size; {@code persist()} uploads a buffer of at
     * least S3's 5 MiB minimum as a part of its own (smaller than the part size), and keeps less
     * than that in a tail object; the last part may be of any size.
     */
    @Test
    void partsAboveAndBelowTheMinimum() throws Exception {
        RecoverableFsDataOutputStream stream = writer().open(file);
        int fiveAndAHalf = 11 * 512 * 1024;
        stream.write(new byte[fiveAndAHalf]);
        S3Recoverable first = (S3Recoverable) stream.persist();
        stream.write(new byte[2 * PART_SIZE + 100]);
        S3Recoverable second = (S3Recoverable) stream.persist();
        stream.write(new byte[1000]);
        S3Recoverable committable = (S3Recoverable) stream.closeForCommit().getRecoverable();

        assertThat(partSizes(first)).containsExactly((long) fiveAndAHalf);
        assertThat(first.tail()).isNull();
        assertThat(partSizes(second))
                .containsExactly((long) fiveAndAHalf, (long) PART_SIZE, (long) PART_SIZE);
        assertThat(second.tailLength()).isEqualTo(100);
        assertThat(partSizes(committable))
                .containsExactly((long) fiveAndAHalf, (long) PART_SIZE, (long) PART_SIZE, 1100L);
        assertThat(committable.tail()).isNull();

        writer().recoverForCommit(committable).commit();
        assertThat(fileSystem(file).getFileStatus(file).getLen())
                .isEqualTo(fiveAndAHalf + 2L * PART_SIZE + 1100);
    }

    // ------------------------------------------------------------------------
    //  Resuming from each persist point, with small data (tails only) and with
    //  data above the part size (parts and tails), as Flink's own S3 tests do
    // ------------------------------------------------------------------------

    private enum PersistPoint {
        /** Before anything was written. */
        EMPTY,
        /** After the first item. */
        INTERMEDIATE,
        /** Right after INTERMEDIATE, with nothing written in between. */
        INTERMEDIATE_AGAIN,
        /** After the second item. */
        FINAL
    }

    @ParameterizedTest(name = "{0}, {1}")
    @CsvSource({
        "EMPTY, small",
        "INTERMEDIATE, small",
        "INTERMEDIATE_AGAIN, small",
        "FINAL, small",
        "EMPTY, big",
        "INTERMEDIATE, big",
        "INTERMEDIATE_AGAIN, big",
        "FINAL, big"
    })
    void resumesFromEachPersistPointThenWritesMoreAndCommits(PersistPoint point, String size)
            throws Exception {
        String first = size.equals("big") ? BIG_CHUNK : DATA_1;
        String second = size.equals("big") ? BIG_CHUNK + DATA_2 : DATA_2;
        String third = size.equals("big") ? BIG_CHUNK + DATA_3 : DATA_3;
        RecoverableWriter initial = writer();
        Map<PersistPoint, ResumeRecoverable> points = new EnumMap<>(PersistPoint.class);
        try (RecoverableFsDataOutputStream stream = initial.open(file)) {
            points.put(PersistPoint.EMPTY, stream.persist());
            stream.write(bytes(first));
            points.put(PersistPoint.INTERMEDIATE, stream.persist());
            points.put(PersistPoint.INTERMEDIATE_AGAIN, stream.persist());
            stream.write(bytes(second));
            points.put(PersistPoint.FINAL, stream.persist());
        }

        RecoverableWriter restored = writer();
        RecoverableFsDataOutputStream resumed =
                restored.recover(throughCheckpoint(points.get(point), initial, restored));
        String before = point == PersistPoint.EMPTY ? "" : first;
        before += point == PersistPoint.FINAL ? second : "";
        assertThat(resumed.getPos()).isEqualTo(before.length());
        resumed.write(bytes(third));
        resumed.closeForCommit().commit();

        assertThat(contents(file)).isEqualTo(before + third);
        for (ResumeRecoverable recoverable : points.values()) {
            restored.cleanupRecoverableState(recoverable);
        }
        assertThat(objectsBelow(dir))
                .as("the tails are gone")
                .containsExactly("part-0 (" + (before + third).length() + ")");
    }

    private static java.util.List<Long> partSizes(S3Recoverable recoverable) {
        return recoverable.parts().stream().map(UploadedPart::size).collect(Collectors.toList());
    }
}
