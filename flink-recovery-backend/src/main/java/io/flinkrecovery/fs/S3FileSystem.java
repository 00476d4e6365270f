package io.flinkrecovery.fs;

import org.apache.flink.core.fs.BlockLocation;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystemKind;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.fs.RecoverableWriter;

import io.flinkrecovery.objectstore.DirectoryListing;
import io.flinkrecovery.objectstore.ObjectInfo;
import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectOutputStream;
import io.flinkrecovery.objectstore.ObjectStore;
import io.flinkrecovery.objectstore.WriteMode;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Flink {@link FileSystem} over an {@link ObjectStore}. S3 has no directories: a directory is a
 * key prefix, {@link #mkdirs} creates nothing, and a directory exists while objects live below it.
 * An empty directory therefore lists as empty but does not exist, which is what Flink's file-system
 * contract allows for object stores. Zero-byte {@code dir/} marker objects that other tools write
 * (Hadoop S3A, Flink's native S3 file system, consoles) make their directory exist and never list
 * as files. Files become visible only when their output stream is closed. The {@linkplain
 * #createRecoverableWriter() recoverable writer} writes files as multipart uploads, for Flink's
 * {@code FileSink}.
 */
public final class S3FileSystem extends FileSystem {

    /** The part size of the recoverable writer when none is given: S3's minimum. */
    static final int DEFAULT_WRITER_PART_SIZE = ObjectStore.MIN_PART_SIZE;

    private final URI uri;
    private final ObjectStore store;

    /** The recoverable writer's part size; empty if this file system has no such writer. */
    private final OptionalInt writerPartSize;

    public S3FileSystem(URI fsUri, ObjectStore store) {
        this(fsUri, store, DEFAULT_WRITER_PART_SIZE);
    }

    /**
     * @param writerPartSize the part size of the {@linkplain #createRecoverableWriter() recoverable
     *     writer}, at least 5 MiB
     */
    public S3FileSystem(URI fsUri, ObjectStore store, long writerPartSize) {
        this(fsUri, store, OptionalInt.of(checkPartSize(writerPartSize)));
    }

    private S3FileSystem(URI fsUri, ObjectStore store, OptionalInt writerPartSize) {
        this.uri = URI.create(ObjectLocation.SCHEME + "://" + fsUri.getAuthority() + "/");
        this.store = store;
        this.writerPartSize = writerPartSize;
    }

    /**
     * A file system for our checkpoint storage, without a recoverable writer: Flink writes a
     * checkpoint's {@code _metadata} through the recoverable writer when the file system has one
     * ({@code FsCheckpointMetadataOutputStream}), which would complete a multipart upload over
     * whatever object is there; without one it creates the file with {@code NO_OVERWRITE}, our
     * conditional create, which is the checkpoint's commit point.
     */
    public static S3FileSystem withoutRecoverableWriter(URI fsUri, ObjectStore store) {
        return new S3FileSystem(fsUri, store, OptionalInt.empty());
    }

    private static int checkPartSize(long writerPartSize) {
        if (writerPartSize < ObjectStore.MIN_PART_SIZE || writerPartSize > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    "Invalid part size of the recoverable writer: "
                            + writerPartSize
                            + " (must be between 5 MiB and 2 GiB)");
        }
        return (int) writerPartSize;
    }

    public ObjectStore objectStore() {
        return store;
    }

    @Override
    public Path getWorkingDirectory() {
        return new Path(uri);
    }

    @Override
    public Path getHomeDirectory() {
        return new Path(uri);
    }

    @Override
    public URI getUri() {
        return uri;
    }

    @Override
    public FileStatus getFileStatus(Path path) throws IOException {
        ObjectLocation location = locationOf(path);
        if (!location.key().isEmpty() && !location.key().endsWith("/")) {
            Optional<ObjectInfo> object = store.head(location);
            if (object.isPresent()) {
                return S3FileStatus.ofFile(object.get());
            }
        }
        if (location.key().isEmpty() || hasObjectsBelow(location)) {
            return S3FileStatus.ofDirectory(location);
        }
        throw new FileNotFoundException("No such file or directory: " + location);
    }

    private boolean hasObjectsBelow(ObjectLocation directory) throws IOException {
        try (Stream<ObjectInfo> below = store.list(directoryPrefix(directory))) {
            return below.findAny().isPresent();
        }
    }

    /** The prefix of everything below a directory, which is also the key of its marker object. */
    private static ObjectLocation directoryPrefix(ObjectLocation directory) {
        return ObjectLocation.of(directory.bucket(), directory.asDirectoryKey());
    }

    @Override
    public BlockLocation[] getFileBlockLocations(FileStatus file, long start, long len) {
        return new BlockLocation[] {new S3BlockLocation(file.getLen())};
    }

    @Override
    public FSDataInputStream open(Path path, int bufferSize) throws IOException {
        return open(path);
    }

    @Override
    public FSDataInputStream open(Path path) throws IOException {
        return new S3DataInputStream(store.open(locationOf(path)));
    }

    @Override
    public FileStatus[] listStatus(Path path) throws IOException {
        ObjectLocation location = locationOf(path);
        DirectoryListing listing = store.listDirectory(location);
        if (listing.isEmpty()) {
            // Flink expects the status of a file when listing a file. Anything else is an empty
            // directory: mkdirs wrote nothing, so Flink's HA job result store lists its new
            // directory right after creating it.
            if (!location.key().isEmpty() && !location.key().endsWith("/")) {
                Optional<ObjectInfo> file = store.head(location);
                if (file.isPresent()) {
                    return new FileStatus[] {S3FileStatus.ofFile(file.get())};
                }
            }
            return new FileStatus[0];
        }
        List<FileStatus> statuses = new ArrayList<>();
        for (ObjectInfo object : listing.objects()) {
            statuses.add(S3FileStatus.ofFile(object));
        }
        for (ObjectLocation directory : listing.subdirectories()) {
            statuses.add(S3FileStatus.ofDirectory(directory));
        }
        return statuses.toArray(new FileStatus[0]);
    }

    @Override
    public boolean exists(Path path) throws IOException {
        try {
            getFileStatus(path);
            return true;
        } catch (FileNotFoundException e) {
            return false;
        }
    }

    /**
     * Deletes a file, or with {@code recursive} every object below a directory. Without {@code
     * recursive}, a directory is deleted only if it is empty (its marker object, if another tool
     * wrote one, goes); a non-empty one fails, as Flink's file-system contract asks, and nothing
     * below it is touched. Returns true also when there was nothing to delete, as discarding state
     * must be idempotent.
     *
     * <p>Discarding a file, which is what Flink does for every state handle, costs a HEAD and a
     * DELETE. A non-recursive delete of a path that is no file costs a HEAD, the store's bucket
     * check and one LIST.
     */
    @Override
    public boolean delete(Path path, boolean recursive) throws IOException {
        ObjectLocation location = locationOf(path);
        if (location.key().isEmpty()) {
            throw new IOException(
                    "Refusing to delete the root of bucket "
                            + location.bucket()
                            + " ("
                            + path
                            + ")");
        }
        if (recursive) {
            List<ObjectLocation> doomed = new ArrayList<>();
            if (!location.key().endsWith("/")) {
                doomed.add(location);
            }
            try (Stream<ObjectInfo> below = store.list(directoryPrefix(location))) {
                doomed.addAll(below.map(ObjectInfo::location).collect(Collectors.toList()));
            }
            store.deleteBatch(doomed);
            return true;
        }
        if (!location.key().endsWith("/") && store.head(location).isPresent()) {
            store.deleteBatch(List.of(location));
            return true;
        }
        ObjectLocation marker = directoryPrefix(location);
        List<ObjectLocation> below;
        try (Stream<ObjectInfo> objects = store.list(marker)) {
            below = objects.limit(2).map(ObjectInfo::location).collect(Collectors.toList());
        }
        if (below.stream().anyMatch(object -> !object.equals(marker))) {
            throw new IOException(
                    "Cannot delete "
                            + location.withoutTrailingSlash()
                            + ": the directory is not empty and the delete is not recursive");
        }
        store.deleteBatch(below);
        return true;
    }

    /**
     * Sends no request: directories are key prefixes in S3, and an empty one lists as empty. No
     * marker object is written, because Flink's checkpoint storage calls this for every {@code
     * chk-<n>} on the JobManager, where a marker would cost a PUT per checkpoint, and a delete to
     * remove it again.
     */
    @Override
    public boolean mkdirs(Path path) {
        return true;
    }

    @Override
    public FSDataOutputStream create(Path path, WriteMode overwriteMode) throws IOException {
        ObjectLocation location = locationOf(path);
        io.flinkrecovery.objectstore.WriteMode mode =
                overwriteMode == WriteMode.OVERWRITE
                        ? io.flinkrecovery.objectstore.WriteMode.OVERWRITE
                        : io.flinkrecovery.objectstore.WriteMode.CREATE_NEW;
        return new S3DataOutputStream(store.create(location, mode));
    }

    /**
     * Renames a single file by copying it and then deleting the source, as S3 cannot rename. Not
     * atomic: the copy becomes visible complete (only when its upload completes) before the source
     * goes, so a failure in between leaves both, never neither; an existing destination is
     * replaced. Flink's job and application result stores rename a dirty entry to a clean one this
     * way when {@code job-result-store.delete-on-commit} or {@code
     * application-result-store.delete-on-commit} is false. Costs a HEAD, a GET, a PUT (a multipart
     * upload for large files) and a DELETE. Directories cannot be renamed.
     */
    @Override
    public boolean rename(Path src, Path dst) throws IOException {
        ObjectLocation from = locationOf(src);
        ObjectLocation to = locationOf(dst);
        Optional<ObjectInfo> source =
                from.key().isEmpty() || from.key().endsWith("/")
                        ? Optional.empty()
                        : store.head(from);
        if (source.isEmpty()) {
            if (from.key().isEmpty() || hasObjectsBelow(from)) {
                throw new IOException(
                        "Cannot rename "
                                + from
                                + " to "
                                + to
                                + ": it is a directory, and the flink-recovery s3 file system"
                                + " renames single files only (by copy and delete)");
            }
            throw new FileNotFoundException(
                    "Cannot rename " + from + " to " + to + ": no such file");
        }
        if (from.equals(to)) {
            return true;
        }
        copy(source.get(), to);
        store.deleteBatch(List.of(from));
        return true;
    }

    private void copy(ObjectInfo source, ObjectLocation to) throws IOException {
        ObjectOutputStream out = store.create(to, io.flinkrecovery.objectstore.WriteMode.OVERWRITE);
        try (InputStream in = store.open(source.location())) {
            in.transferTo(out);
            if (out.getPos() != source.size()) {
                throw new IOException(
                        "Cannot rename "
                                + source.location()
                                + " to "
                                + to
                                + ": read "
                                + out.getPos()
                                + " of "
                                + source.size()
                                + " bytes; the source changed while it was copied");
            }
        } catch (IOException | RuntimeException e) {
            // Abort, never close: a failed copy publishes nothing and frees its upload.
            out.abort();
            throw e;
        }
        out.close();
    }

    /**
     * A writer for Flink's {@code FileSink}: every file is a multipart upload, made resumable at
     * each checkpoint and published by its committer (see {@code S3RecoverableWriter}).
     */
    @Override
    public RecoverableWriter createRecoverableWriter() {
        if (writerPartSize.isEmpty()) {
            // What Flink's own FileSystem does; FsCheckpointMetadataOutputStream then falls back.
            throw new UnsupportedOperationException(
                    "The file system of flink-recovery's checkpoint storage has no recoverable"
                            + " writer: it writes _metadata with a conditional create");
        }
        return new S3RecoverableWriter(store, this::locationOf, writerPartSize.getAsInt());
    }

    @Override
    public boolean isDistributedFS() {
        return true;
    }

    /** Flink 1.20's {@code FileSystem#getKind}, which Flink 2.x removed. */
    public FileSystemKind getKind() {
        return FileSystemKind.OBJECT_STORE;
    }

    private ObjectLocation locationOf(Path path) {
        URI pathUri = path.toUri();
        if (pathUri.getScheme() == null) {
            return ObjectLocation.of(uri.getAuthority(), pathUri.getPath());
        }
        return ObjectLocation.parse(pathUri);
    }
}
