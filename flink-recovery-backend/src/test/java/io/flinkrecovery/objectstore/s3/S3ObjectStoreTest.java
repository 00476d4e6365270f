package io.flinkrecovery.objectstore.s3;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.FlinkUserCodeClassLoaders;

import io.flinkrecovery.objectstore.ObjectInfo;
import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectOutputStream;
import io.flinkrecovery.objectstore.RequestCounters;
import io.flinkrecovery.objectstore.RequestKind;
import io.flinkrecovery.objectstore.SeekableInputStream;
import io.flinkrecovery.objectstore.WriteMode;
import io.flinkrecovery.testing.EmbeddedS3Extension;
import io.flinkrecovery.testing.FaultInjector.Fault;
import io.flinkrecovery.testing.FaultInjector.Operation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link S3ObjectStore} against a real S3-compatible server over HTTP. */
class S3ObjectStoreTest {

    private static final int MB = 1024 * 1024;

    @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("store-test");

    private final List<S3ObjectStore> stores = new ArrayList<>();
    private String prefix;

    @BeforeEach
    void newPrefix() {
        prefix = "t-" + UUID.randomUUID() + "/";
    }

    @AfterEach
    void closeStores() {
        stores.forEach(S3ObjectStore::close);
    }

    private S3ObjectStore store(Map<String, String> overrides) {
        Configuration config = Configuration.fromMap(S3.flinkConfig());
        overrides.forEach(config::setString);
        S3ObjectStore store = new S3ObjectStore(S3ClientSettings.fromConfig(config));
        stores.add(store);
        return store;
    }

    private S3ObjectStore store() {
        return store(Map.of("recovery.s3.upload.part-size", "5mb"));
    }

    private ObjectLocation at(String name) {
        return ObjectLocation.of(S3.bucket(), prefix + name);
    }

    @Test
    void putThenReadWholeAndRanged() throws IOException {
        S3ObjectStore store = store();
        byte[] data = randomBytes(100_000, 1);
        store.put(at("a"), data);

        assertThat(readAll(store.open(at("a")))).isEqualTo(data);
        assertThat(readAll(store.openRange(at("a"), 1000, 500)))
                .isEqualTo(java.util.Arrays.copyOfRange(data, 1000, 1500));
        assertThat(store.head(at("a")).map(ObjectInfo::size)).contains(100_000L);
        assertThat(store.head(at("missing"))).isEmpty();
        assertThat(store.counters().requests(RequestKind.GET)).isEqualTo(2);
        assertThat(store.counters().bytesIn()).isEqualTo(100_500);
    }

    @Test
    void seekReadsFromTheNewPosition() throws IOException {
        S3ObjectStore store = store();
        byte[] data = randomBytes(3 * MB, 2);
        store.put(at("seek"), data);
        try (SeekableInputStream in = store.open(at("seek"))) {
            in.seek(2 * MB);
            assertThat(in.read()).isEqualTo(data[2 * MB] & 0xff);
            in.seek(10);
            assertThat(in.read()).isEqualTo(data[10] & 0xff);
            assertThat(in.getPos()).isEqualTo(11);
            in.seek(3 * MB);
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void putIfAbsentRefusesToReplaceAnObject() throws IOException {
        S3ObjectStore store = store();
        store.putIfAbsent(at("commit"), new byte[] {1});

        assertThatThrownBy(() -> store.putIfAbsent(at("commit"), new byte[] {2}))
                .isInstanceOf(FileAlreadyExistsException.class)
                .hasMessageContaining("Cannot create " + at("commit"))
                .hasMessageContaining("already exists");
        assertThat(readAll(store.open(at("commit")))).containsExactly(1);
    }

    @Test
    void smallStreamIsOnePutAndLargeStreamIsMultipart() throws IOException {
        S3ObjectStore store = store();
        byte[] small = randomBytes(1000, 3);
        try (ObjectOutputStream out = store.create(at("small"), WriteMode.CREATE_NEW)) {
            out.write(small);
        }
        assertThat(store.counters().requests(RequestKind.PUT)).isEqualTo(1);
        assertThat(store.counters().requests(RequestKind.MULTIPART_PART)).isZero();

        byte[] large = randomBytes(12 * MB + 17, 4);
        ObjectOutputStream out = store.create(at("large"), WriteMode.CREATE_NEW);
        for (int i = 0; i < large.length; i += 100_000) {
            out.write(large, i, Math.min(100_000, large.length - i));
        }
        assertThat(store.head(at("large"))).as("invisible before close").isEmpty();
        out.close();
        out.close(); // idempotent

        assertThat(readAll(store.open(at("large")))).isEqualTo(large);
        assertThat(store.counters().requests(RequestKind.MULTIPART_PART)).isEqualTo(3);
        assertThat(store.counters().requests(RequestKind.MULTIPART_CONTROL)).isEqualTo(2);
        assertThat(store.counters().bytesOut()).isEqualTo(small.length + large.length);
    }

    /**
     * A store is shared by every job of a TaskManager, but is first asked for by one job's task
     * thread, whose context classloader Flink closes when that job ends. The next job's multipart
     * uploads must still work.
     */
    @Test
    void storeOutlivesTheJobThatCreatedIt() throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader original = thread.getContextClassLoader();
        URLClassLoader jobClassLoader =
                FlinkUserCodeClassLoaders.childFirst(
                        new URL[0], original, new String[0], error -> {}, true);
        S3ObjectStore store;
        byte[] data = randomBytes(11 * MB, 9);
        try {
            thread.setContextClassLoader(jobClassLoader);
            store = store();
            store.put(at("first"), data);
            try (ObjectOutputStream out = store.create(at("first-job"), WriteMode.OVERWRITE)) {
                out.write(data);
            }
        } finally {
            thread.setContextClassLoader(original);
            jobClassLoader.close();
        }

        for (Thread upload : Thread.getAllStackTraces().keySet()) {
            if (upload.getName().startsWith("flink-recovery-s3-upload-")) {
                assertThat(upload.getContextClassLoader())
                        .as("context classloader of %s", upload.getName())
                        .isSameAs(S3ObjectStore.class.getClassLoader());
            }
        }
        for (int i = 0; i < 3; i++) {
            try (ObjectOutputStream out = store.create(at("next-job-" + i), WriteMode.OVERWRITE)) {
                out.write(data);
            }
            assertThat(store.head(at("next-job-" + i)).orElseThrow().size()).isEqualTo(data.length);
        }
    }

    @Test
    void conditionalMultipartUploadDoesNotReplaceAnExistingObject() throws IOException {
        S3ObjectStore store = store();
        store.put(at("taken"), new byte[] {42});
        ObjectOutputStream out = store.create(at("taken"), WriteMode.CREATE_NEW);
        out.write(randomBytes(6 * MB, 5));

        assertThatThrownBy(out::close)
                .isInstanceOf(FileAlreadyExistsException.class)
                .hasMessageContaining("Cannot complete multipart upload of " + at("taken"));
        assertThat(readAll(store.open(at("taken")))).containsExactly(42);
    }

    @Test
    void failedPartAbortsTheUploadAndLeavesNothingVisible() throws IOException {
        S3ObjectStore store =
                store(
                        Map.of(
                                "recovery.s3.upload.part-size",
                                "5mb",
                                "recovery.s3.retry.max-attempts",
                                "2"));
        S3.faults().failAll(Operation.UPLOAD_PART, Fault.INTERNAL_ERROR);
        ObjectOutputStream out = store.create(at("doomed"), WriteMode.CREATE_NEW);

        assertThatThrownBy(
                        () -> {
                            out.write(randomBytes(11 * MB, 6));
                            out.close();
                        })
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Cannot upload part")
                .hasMessageContaining(at("doomed").toString())
                .hasMessageContaining("HTTP 500");
        S3.faults().clear();

        assertThat(store.head(at("doomed"))).isEmpty();
        assertThat(store.counters().requests(RequestKind.MULTIPART_CONTROL))
                .as("create + abort")
                .isEqualTo(2);
        out.close(); // closing again after a failure is a no-op
    }

    @Test
    void throttlingIsRetriedAndCounted() throws IOException {
        S3ObjectStore store = store();
        S3.faults().failNext(Operation.PUT_OBJECT, 2, Fault.SLOW_DOWN);

        store.put(at("throttled"), new byte[] {7});

        assertThat(readAll(store.open(at("throttled")))).containsExactly(7);
        RequestCounters counters = store.counters();
        assertThat(counters.requests(RequestKind.PUT)).isEqualTo(3);
        assertThat(counters.throttled()).isEqualTo(2);
        assertThat(counters.retried()).as("two attempts after the first").isEqualTo(2);
        assertThat(counters.requests(RequestKind.GET)).isEqualTo(1);
    }

    @Test
    void throttlingBeyondTheAttemptLimitFailsWithTheLocation() {
        S3ObjectStore store = store(Map.of("recovery.s3.retry.max-attempts", "2"));
        S3.faults().failNext(Operation.PUT_OBJECT, 2, Fault.SLOW_DOWN);

        assertThatThrownBy(() -> store.put(at("given-up"), new byte[] {7}))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Cannot write " + at("given-up"))
                .hasMessageContaining("HTTP 503 SlowDown");
    }

    @Test
    void readThatFailsMidStreamReopensAtItsOffset() throws Exception {
        S3ObjectStore direct = store();
        byte[] data = randomBytes(4 * MB, 7);
        direct.put(at("flaky"), data);
        try (ConnectionCuttingProxy proxy = new ConnectionCuttingProxy(S3.endpoint())) {
            S3ObjectStore viaProxy = store(Map.of("s3.endpoint", proxy.endpoint()));
            proxy.cutNextResponses(2, MB);

            assertThat(readAll(viaProxy.open(at("flaky")))).isEqualTo(data);
            assertThat(proxy.cutsDone()).isEqualTo(2);
            assertThat(viaProxy.counters().requests(RequestKind.GET)).isEqualTo(3);
        }
    }

    @Test
    void readGivesUpWhenTheEndpointGoesAway() throws Exception {
        S3ObjectStore direct = store();
        direct.put(at("dead"), randomBytes(8 * MB, 8));
        ConnectionCuttingProxy proxy = new ConnectionCuttingProxy(S3.endpoint());
        S3ObjectStore viaProxy =
                store(
                        Map.of(
                                "s3.endpoint", proxy.endpoint(),
                                "recovery.s3.read.max-reopens", "2",
                                "recovery.s3.retry.max-attempts", "1"));
        try (SeekableInputStream in = viaProxy.open(at("dead"))) {
            assertThat(in.readNBytes(MB)).hasSize(MB);
            proxy.close();

            assertThatThrownBy(() -> in.readNBytes(7 * MB))
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith("Cannot read " + at("dead") + " at offset ")
                    .hasRootCauseInstanceOf(java.net.ConnectException.class);
        }
        assertThat(viaProxy.counters().requests(RequestKind.GET))
                .as("open + 2 reopens")
                .isEqualTo(3);
    }

    @Test
    void conditionalPutSurvivesARetryOfItsOwnSuccessfulWrite() throws Exception {
        try (ConnectionCuttingProxy proxy = new ConnectionCuttingProxy(S3.endpoint())) {
            S3ObjectStore viaProxy = store(Map.of("s3.endpoint", proxy.endpoint()));
            // The PUT is stored, then its response is lost: the SDK retries and gets 412.
            proxy.cutNextResponses(1, 0);

            viaProxy.putIfAbsent(at("retried-commit"), new byte[] {9});

            assertThat(proxy.cutsDone()).isEqualTo(1);
            assertThat(viaProxy.counters().requests(RequestKind.PUT)).isEqualTo(2);
            assertThat(readAll(viaProxy.open(at("retried-commit")))).containsExactly(9);
        }
    }

    @Test
    void listPagesAndDeleteBatchesByThousand() throws IOException {
        S3ObjectStore store = store();
        List<ObjectLocation> written = new ArrayList<>();
        for (int i = 0; i < 2100; i++) {
            ObjectLocation location = at(String.format("many/%05d", i));
            store.put(location, new byte[] {(byte) i});
            written.add(location);
        }
        store.put(at("many/sub/x"), new byte[1]);

        try (Stream<ObjectInfo> listed = store.list(at("many/"))) {
            assertThat(listed.count()).isEqualTo(2101);
        }
        assertThat(store.counters().requests(RequestKind.LIST)).isEqualTo(3);
        assertThat(store.listDirectory(at("many")).objects()).hasSize(2100);
        assertThat(store.listDirectory(at("many")).subdirectories())
                .containsExactly(at("many/sub/"));

        long deletesBefore = store.counters().requests(RequestKind.DELETE);
        store.deleteBatch(written);
        assertThat(store.counters().requests(RequestKind.DELETE) - deletesBefore).isEqualTo(3);
        try (Stream<ObjectInfo> left = store.list(at("many/"))) {
            assertThat(left.map(ObjectInfo::location).collect(Collectors.toList()))
                    .containsExactly(at("many/sub/x"));
        }
        store.deleteBatch(written); // deleting missing objects is fine
    }

    @Test
    void missingBucketIsNamed() {
        S3ObjectStore store = store();
        ObjectLocation nowhere = ObjectLocation.of("no-such-bucket", "x/y");

        assertThatThrownBy(() -> store.head(nowhere))
                .isInstanceOf(FileNotFoundException.class)
                .hasMessageContaining("bucket 'no-such-bucket' does not exist at " + S3.endpoint());
        assertThatThrownBy(() -> store.listDirectory(nowhere))
                .isInstanceOf(FileNotFoundException.class)
                .hasMessageContaining("Cannot list s3://no-such-bucket/x/y")
                .hasMessageContaining("bucket 'no-such-bucket' does not exist");
        assertThatThrownBy(() -> readAll(store.open(nowhere)))
                .isInstanceOf(FileNotFoundException.class)
                .hasMessageContaining("bucket 'no-such-bucket' does not exist");
    }

    @Test
    void missingObjectIsNamed() {
        S3ObjectStore store = store();
        assertThatThrownBy(() -> readAll(store.open(at("nothing"))))
                .isInstanceOf(FileNotFoundException.class)
                .hasMessage("Cannot read " + at("nothing") + ": no such object");
    }

    @Test
    void wrongCredentialsAreReportedWithoutTheSecret() {
        S3ObjectStore store = store(Map.of("s3.secret-key", "not-the-secret-123"));

        assertThatThrownBy(() -> store.put(at("denied"), new byte[1]))
                .isInstanceOf(AccessDeniedException.class)
                .hasMessageContaining("Cannot write " + at("denied"))
                .hasMessageContaining("Check s3.access-key and s3.secret-key")
                .hasMessageNotContaining("not-the-secret-123");
    }

    @Test
    void unreachableEndpointIsNamed() {
        S3ObjectStore store =
                store(
                        Map.of(
                                "s3.endpoint",
                                "http://127.0.0.1:1",
                                "recovery.s3.retry.max-attempts",
                                "1"));

        assertThatThrownBy(() -> store.put(at("x"), new byte[1]))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Cannot write " + at("x"))
                .hasMessageContaining("cannot reach http://127.0.0.1:1");
    }

    static byte[] randomBytes(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    static byte[] readAll(InputStream in) throws IOException {
        try (InputStream input = in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = input.read(buffer)) != -1) {
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        }
    }
}
