package io.flinkrecovery.fs;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystem.WriteMode;
import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.state.filesystem.FileStateHandle;

import io.flinkrecovery.objectstore.ObjectInfo;
import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.RequestCounters;
import io.flinkrecovery.objectstore.RequestKind;
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
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Flink's {@link FileSystem} API on {@code s3://}, resolved through the service registration. */
class S3FileSystemTest {

    @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("fs-test");

    private Path dir;
    private FileSystem fs;

    @BeforeAll
    static void registerFileSystem() {
        FileSystem.initialize(Configuration.fromMap(S3.flinkConfig()), null);
    }

    @BeforeEach
    void newDirectory() throws IOException {
        dir = new Path("s3://" + S3.bucket() + "/fs-" + UUID.randomUUID());
        fs = dir.getFileSystem();
    }

    @Test
    void flinkResolvesOurFactoryForS3() {
        assertThat(fs).isInstanceOf(S3FileSystem.class);
        assertThat(fs.isDistributedFS()).isTrue();
    }

    @Test
    void writeReadAndStat() throws IOException {
        Path file = new Path(dir, "a/file");
        try (FSDataOutputStream out = fs.create(file, WriteMode.NO_OVERWRITE)) {
            out.write(new byte[] {1, 2, 3, 4, 5});
            assertThat(out.getPos()).isEqualTo(5);
        }
        try (FSDataInputStream in = fs.open(file)) {
            in.seek(2);
            assertThat(in.read()).isEqualTo(3);
            assertThat(in.getPos()).isEqualTo(3);
        }
        FileStatus status = fs.getFileStatus(file);
        assertThat(status.isDir()).isFalse();
        assertThat(status.getLen()).isEqualTo(5);
        assertThat(fs.getFileStatus(new Path(dir, "a")).isDir()).isTrue();
        assertThat(fs.exists(new Path(dir, "nothing"))).isFalse();
        assertThatThrownBy(() -> fs.getFileStatus(new Path(dir, "nothing")))
                .isInstanceOf(FileNotFoundException.class)
                .hasMessage("No such file or directory: " + dir + "/nothing");
    }

    @Test
    void noOverwriteRefusesAnExistingFileAndOverwriteReplacesIt() throws IOException {
        Path file = new Path(dir, "once");
        write(file, WriteMode.NO_OVERWRITE, 1);

        assertThatThrownBy(() -> write(file, WriteMode.NO_OVERWRITE, 2))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Cannot create " + file)
                .hasMessageContaining("already exists");
        write(file, WriteMode.OVERWRITE, 3);
        try (FSDataInputStream in = fs.open(file)) {
            assertThat(in.read()).isEqualTo(3);
        }
    }

    @Test
    void listStatusShowsFilesAndDirectories() throws IOException {
        write(new Path(dir, "x"), WriteMode.NO_OVERWRITE, 1);
        write(new Path(dir, "sub/y"), WriteMode.NO_OVERWRITE, 1);

        assertThat(names(fs.listStatus(dir))).containsExactlyInAnyOrder("x", "sub/");
    }

    @Test
    void mkdirsSendsNothingAndAnEmptyDirectoryListsAsEmpty() throws IOException {
        Path created = new Path(dir, "job-result-store/cluster");
        RequestCounters.Snapshot before = counters().snapshot();

        assertThat(fs.mkdirs(created)).isTrue();

        assertThat(requestsSince(before)).as("requests sent by mkdirs").isZero();
        assertThat(fs.listStatus(created)).isEmpty();
        assertThat(fs.listStatus(new Path(dir, "never-created"))).isEmpty();
        assertThat(fs.exists(created)).as("an empty prefix does not exist in S3").isFalse();

        write(new Path(created, "entry"), WriteMode.NO_OVERWRITE, 1);
        assertThat(fs.getFileStatus(created).isDir()).isTrue();
        assertThat(fs.listStatus(created))
                .extracting(s -> s.getPath().getName())
                .containsExactly("entry");
    }

    @Test
    void listingAFileReturnsTheFile() throws IOException {
        Path file = new Path(dir, "f");
        write(file, WriteMode.NO_OVERWRITE, 7);

        FileStatus[] statuses = fs.listStatus(file);

        assertThat(statuses).hasSize(1);
        assertThat(statuses[0].isDir()).isFalse();
        assertThat(statuses[0].getLen()).isEqualTo(1);
        assertThat(statuses[0].getPath()).isEqualTo(file);
    }

    @Test
    void listingInAMissingBucketNamesTheBucket() {
        assertThatThrownBy(() -> fs.listStatus(new Path("s3://missing-bucket/ha/job-result-store")))
                .isInstanceOf(FileNotFoundException.class)
                .hasMessageStartingWith(
                        "Cannot list s3://missing-bucket/ha/job-result-store: bucket"
                                + " 'missing-bucket' does not exist at ");
    }

    @Test
    void markerObjectsOfOtherToolsAreDirectoriesAndNeverListAsFiles() throws IOException {
        // What Hadoop S3A's and Flink's native S3 file system's mkdirs leave: zero-byte "dir/"
        // keys.
        putMarker("m/");
        putMarker("m/sub/");
        write(new Path(dir, "m/file"), WriteMode.NO_OVERWRITE, 1);
        putMarker("empty/");

        assertThat(fs.getFileStatus(new Path(dir, "empty")).isDir()).isTrue();
        assertThat(fs.exists(new Path(dir, "empty"))).isTrue();
        assertThat(fs.listStatus(new Path(dir, "empty"))).isEmpty();
        assertThat(names(fs.listStatus(new Path(dir, "m"))))
                .containsExactlyInAnyOrder("file", "sub/");
        assertThat(fs.listStatus(new Path(dir, "m/sub"))).isEmpty();
        assertThat(names(fs.listStatus(dir))).containsExactlyInAnyOrder("m/", "empty/");

        assertThat(fs.delete(new Path(dir, "m"), true)).isTrue();
        assertThat(fs.delete(new Path(dir, "empty"), true)).isTrue();
        assertThat(objectsBelow(dir)).isEmpty();
    }

    @Test
    void deleteIsIdempotentAndRecursiveOnlyWhenAsked() throws IOException {
        write(new Path(dir, "d/1"), WriteMode.NO_OVERWRITE, 1);
        write(new Path(dir, "d/e/2"), WriteMode.NO_OVERWRITE, 1);

        assertThatThrownBy(() -> fs.delete(new Path(dir, "d"), false))
                .isInstanceOf(IOException.class)
                .hasMessage(
                        "Cannot delete "
                                + dir
                                + "/d: the directory is not empty and the delete is not"
                                + " recursive");
        assertThat(fs.exists(new Path(dir, "d/1"))).as("not recursive: children stay").isTrue();
        assertThat(fs.delete(new Path(dir, "d/1"), false)).isTrue();
        assertThat(fs.delete(new Path(dir, "d/1"), false)).isTrue();
        assertThat(fs.exists(new Path(dir, "d/1"))).isFalse();
        assertThat(fs.delete(new Path(dir, "d"), true)).isTrue();
        assertThat(fs.exists(new Path(dir, "d"))).isFalse();
        assertThat(fs.delete(new Path(dir, "d"), false)).as("nothing left").isTrue();
    }

    @Test
    void discardingAFileCostsAHeadAndADelete() throws Exception {
        Path file = new Path(dir, "state");
        write(file, WriteMode.NO_OVERWRITE, 1);
        RequestCounters.Snapshot before = counters().snapshot();

        new FileStateHandle(file, 1).discardState();

        RequestCounters.Snapshot delta = counters().snapshot().minus(before);
        assertThat(delta.requests(RequestKind.HEAD)).isEqualTo(1);
        assertThat(delta.requests(RequestKind.DELETE)).isEqualTo(1);
        assertThat(requestsSince(before)).isEqualTo(2);
        assertThat(fs.exists(file)).isFalse();
    }

    @Test
    void nonRecursiveDeleteRemovesTheMarkerOfAnEmptyDirectoryOnly() throws IOException {
        putMarker("empty/");
        putMarker("full/");
        write(new Path(dir, "full/x"), WriteMode.NO_OVERWRITE, 1);

        assertThat(fs.delete(new Path(dir, "empty"), false)).isTrue();
        assertThatThrownBy(() -> fs.delete(new Path(dir, "full"), false))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Cannot delete " + dir + "/full: the directory is not empty");

        assertThat(objectsBelow(dir)).containsExactlyInAnyOrder(dir + "/full/", dir + "/full/x");
    }

    @Test
    void renameCopiesAFileReplacingTheTargetAndDeletesTheSource() throws IOException {
        Path dirty = new Path(dir, "job_DIRTY.json");
        Path clean = new Path(dir, "job.json");
        byte[] content = new byte[100_000];
        new Random(1).nextBytes(content);
        try (FSDataOutputStream out = fs.create(dirty, WriteMode.NO_OVERWRITE)) {
            out.write(content);
        }
        write(clean, WriteMode.NO_OVERWRITE, 9);

        assertThat(fs.rename(dirty, clean)).isTrue();

        assertThat(fs.exists(dirty)).isFalse();
        try (FSDataInputStream in = fs.open(clean)) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
    }

    @Test
    void renameRefusesDirectoriesAndMissingFiles() throws IOException {
        write(new Path(dir, "a/x"), WriteMode.NO_OVERWRITE, 1);

        assertThatThrownBy(() -> fs.rename(new Path(dir, "a"), new Path(dir, "b")))
                .isInstanceOf(IOException.class)
                .hasMessage(
                        "Cannot rename "
                                + dir
                                + "/a to "
                                + dir
                                + "/b: it is a directory, and the flink-recovery s3 file system"
                                + " renames single files only (by copy and delete)");
        assertThatThrownBy(() -> fs.rename(new Path(dir, "missing"), new Path(dir, "b")))
                .isInstanceOf(FileNotFoundException.class)
                .hasMessage("Cannot rename " + dir + "/missing to " + dir + "/b: no such file");
        assertThat(objectsBelow(dir)).containsExactly(dir + "/a/x");
    }

    @Test
    void aFailedRenameKeepsTheSourceAndPublishesNoPartialCopy() throws IOException {
        Configuration config = Configuration.fromMap(S3.flinkConfig());
        config.setString("recovery.s3.retry.max-attempts", "1");
        S3FileSystem noRetries =
                new S3FileSystem(
                        dir.toUri(),
                        S3ObjectStores.forSettings(S3ClientSettings.fromConfig(config)));
        Path source = new Path(dir, "source");
        write(source, WriteMode.NO_OVERWRITE, 5);
        S3.faults().failWhenKeyContains(Operation.PUT_OBJECT, "target", Fault.INTERNAL_ERROR);

        assertThatThrownBy(() -> noRetries.rename(source, new Path(dir, "target")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Cannot write " + dir + "/target");
        assertThat(objectsBelow(dir)).containsExactly(dir + "/source");

        S3.faults().clear();
        S3.faults().failWhenKeyContains(Operation.GET_OBJECT, "source", Fault.INTERNAL_ERROR);
        assertThatThrownBy(() -> noRetries.rename(source, new Path(dir, "target")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Cannot read " + dir + "/source");
        assertThat(objectsBelow(dir)).as("the copy was aborted").containsExactly(dir + "/source");
    }

    private void write(Path file, WriteMode mode, int value) throws IOException {
        try (FSDataOutputStream out = fs.create(file, mode)) {
            out.write(value);
        }
    }

    private RequestCounters counters() {
        return ((S3FileSystem) fs).objectStore().counters();
    }

    private long requestsSince(RequestCounters.Snapshot before) {
        RequestCounters.Snapshot delta = counters().snapshot().minus(before);
        return Arrays.stream(RequestKind.values()).mapToLong(delta::requests).sum();
    }

    private void putMarker(String relativeKey) throws IOException {
        ObjectLocation directory = ObjectLocation.parse(dir.toUri());
        ((S3FileSystem) fs).objectStore().put(directory.child(relativeKey), new byte[0]);
    }

    private List<String> objectsBelow(Path directory) throws IOException {
        ObjectLocation prefix = ObjectLocation.parse(directory.toUri());
        try (Stream<ObjectInfo> objects =
                ((S3FileSystem) fs)
                        .objectStore()
                        .list(ObjectLocation.of(prefix.bucket(), prefix.asDirectoryKey()))) {
            return objects.map(o -> o.location().toString()).collect(Collectors.toList());
        }
    }

    private static List<String> names(FileStatus[] statuses) {
        return Arrays.stream(statuses)
                .map(s -> s.getPath().getName() + (s.isDir() ? "/" : ""))
                .collect(Collectors.toList());
    }
}
