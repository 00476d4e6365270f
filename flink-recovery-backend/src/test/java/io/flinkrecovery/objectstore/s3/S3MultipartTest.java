package io.flinkrecovery.objectstore.s3;

import org.apache.flink.configuration.Configuration;

import io.flinkrecovery.objectstore.ObjectInfo;
import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectStore;
import io.flinkrecovery.objectstore.PendingUpload;
import io.flinkrecovery.objectstore.RequestCounters;
import io.flinkrecovery.objectstore.RequestKind;
import io.flinkrecovery.objectstore.UploadedPart;
import io.flinkrecovery.testing.EmbeddedS3Extension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

import static io.flinkrecovery.objectstore.s3.S3ObjectStoreTest.randomBytes;
import static io.flinkrecovery.objectstore.s3.S3ObjectStoreTest.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The multipart calls of {@link S3ObjectStore} that a caller drives part by part, against S3Proxy
 * with its filesystem store (the version in our pom supports every call used here, including
 * ListMultipartUploads).
 */
class S3MultipartTest {

    private static final int MB = 1024 * 1024;

    @RegisterExtension
    static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("multipart-test");

    private S3ObjectStore store;
    private String prefix;

    @BeforeEach
    void setUp() {
        store =
                new S3ObjectStore(
                        S3ClientSettings.fromConfig(Configuration.fromMap(S3.flinkConfig())));
        prefix = "t-" + UUID.randomUUID() + "/";
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private ObjectLocation at(String name) {
        return ObjectLocation.of(S3.bucket(), prefix + name);
    }

    @Test
    void partsCompleteIntoOneObjectTaggedWithTheWriteId() throws IOException {
        byte[] first = randomBytes(ObjectStore.MIN_PART_SIZE, 1);
        byte[] last = randomBytes(1000, 2);
        RequestCounters.Snapshot before = store.counters().snapshot();

        String uploadId = store.startMultipartUpload(at("file"), "write-1");
        UploadedPart one = store.uploadPart(at("file"), uploadId, 1, first, first.length);
        UploadedPart two = store.uploadPart(at("file"), uploadId, 2, last, last.length);
        assertThat(store.head(at("file"))).as("nothing visible before completion").isEmpty();
        store.completeMultipartUpload(at("file"), uploadId, List.of(one, two));

        ObjectInfo info = store.head(at("file")).orElseThrow();
        assertThat(info.size()).isEqualTo(first.length + last.length);
        assertThat(info.writeId()).contains("write-1");
        assertThat(readAll(store.open(at("file"))))
                .startsWith(first[0], first[1])
                .endsWith(last[998], last[999])
                .hasSize(first.length + last.length);
        assertThat(one.size()).isEqualTo(first.length);
        assertThat(two.number()).isEqualTo(2);
        RequestCounters.Snapshot delta = store.counters().snapshot().minus(before);
        assertThat(delta.requests(RequestKind.MULTIPART_CONTROL)).isEqualTo(2);
        assertThat(delta.requests(RequestKind.MULTIPART_PART)).isEqualTo(2);
    }

    @Test
    void partUploadedAgainReplacesTheEarlierOneAndUnlistedPartsAreDropped() throws IOException {
        byte[] stale = randomBytes(ObjectStore.MIN_PART_SIZE, 3);
        byte[] fresh = randomBytes(ObjectStore.MIN_PART_SIZE, 4);
        byte[] dropped = randomBytes(100, 5);
        String uploadId = store.startMultipartUpload(at("replaced"), "w");
        store.uploadPart(at("replaced"), uploadId, 1, stale, stale.length);
        store.uploadPart(at("replaced"), uploadId, 2, dropped, dropped.length);
        UploadedPart one = store.uploadPart(at("replaced"), uploadId, 1, fresh, fresh.length);

        store.completeMultipartUpload(at("replaced"), uploadId, List.of(one));

        assertThat(readAll(store.open(at("replaced")))).isEqualTo(fresh);
        assertThat(store.listMultipartUploads(at(""))).isEmpty();
    }

    /**
     * What S3Proxy does, which our committer relies on no more than on S3's own behaviour: the same
     * completion again succeeds and changes nothing, a completion with other parts answers
     * NoSuchUpload. Unlike S3, S3Proxy accepts an UploadPart for a completed or aborted upload;
     * only the completion then fails.
     */
    @Test
    void completingAgainWithOtherPartsOrAfterAnAbortNamesTheUpload() throws IOException {
        byte[] data = randomBytes(10, 6);
        String uploadId = store.startMultipartUpload(at("done"), "w");
        UploadedPart part = store.uploadPart(at("done"), uploadId, 1, data, data.length);
        store.completeMultipartUpload(at("done"), uploadId, List.of(part));
        store.completeMultipartUpload(at("done"), uploadId, List.of(part));
        assertThat(readAll(store.open(at("done")))).isEqualTo(data);

        UploadedPart other = store.uploadPart(at("done"), uploadId, 1, new byte[] {1, 2, 3}, 3);
        assertThatThrownBy(
                        () -> store.completeMultipartUpload(at("done"), uploadId, List.of(other)))
                .isInstanceOf(FileNotFoundException.class)
                .hasMessage(
                        "Cannot complete multipart upload "
                                + uploadId
                                + " of "
                                + at("done")
                                + ": no such upload (it was completed or aborted)");
        assertThat(readAll(store.open(at("done")))).isEqualTo(data);

        String aborted = store.startMultipartUpload(at("aborted"), "w");
        UploadedPart lost = store.uploadPart(at("aborted"), aborted, 1, data, data.length);
        store.abortMultipartUpload(at("aborted"), aborted);
        assertThatThrownBy(
                        () -> store.completeMultipartUpload(at("aborted"), aborted, List.of(lost)))
                .isInstanceOf(FileNotFoundException.class)
                .hasMessageContaining("Cannot complete multipart upload " + aborted)
                .hasMessageContaining("no such upload");
        assertThat(store.head(at("aborted"))).isEmpty();
    }

    @Test
    void pendingUploadsAreListedUntilAbortedAndAbortingTwiceIsNoError() throws IOException {
        String a = store.startMultipartUpload(at("dir/a"), "w");
        String b = store.startMultipartUpload(at("dir/b"), "w");
        String other = store.startMultipartUpload(at("elsewhere/c"), "w");
        RequestCounters.Snapshot before = store.counters().snapshot();

        List<PendingUpload> pending = store.listMultipartUploads(at("dir/"));

        assertThat(pending.stream().map(PendingUpload::location).collect(Collectors.toList()))
                .containsExactly(at("dir/a"), at("dir/b"));
        assertThat(pending.stream().map(PendingUpload::uploadId).collect(Collectors.toList()))
                .containsExactly(a, b);
        assertThat(store.counters().snapshot().minus(before).requests(RequestKind.LIST))
                .isEqualTo(1);

        store.abortMultipartUpload(at("dir/a"), a);
        store.abortMultipartUpload(at("dir/a"), a);
        store.abortMultipartUpload(at("dir/b"), b);
        store.abortMultipartUpload(at("elsewhere/c"), other);
        assertThat(store.listMultipartUploads(at(""))).isEmpty();
        assertThat(store.list(at(""))).as("aborted uploads leave no object").isEmpty();
    }

    @Test
    void partNumberBeyondS3sLimitIsRefusedWithTheLocation() throws IOException {
        String uploadId = store.startMultipartUpload(at("huge"), "w");
        assertThatThrownBy(() -> store.uploadPart(at("huge"), uploadId, 10_001, new byte[1], 1))
                .isInstanceOf(IOException.class)
                .hasMessage(
                        "Cannot upload part 10001 of "
                                + at("huge")
                                + ": S3 allows parts 1 to 10000 in one upload");
        store.abortMultipartUpload(at("huge"), uploadId);
    }

    @Test
    void listingAMissingBucketNamesIt() {
        ObjectLocation nowhere = ObjectLocation.of("no-such-bucket", "x/");
        assertThatThrownBy(() -> store.listMultipartUploads(nowhere))
                .isInstanceOf(FileNotFoundException.class)
                .hasMessageContaining("Cannot list multipart uploads below s3://no-such-bucket/x/")
                .hasMessageContaining("bucket 'no-such-bucket' does not exist");
    }
}
