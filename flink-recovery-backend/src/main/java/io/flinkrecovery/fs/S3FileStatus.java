package io.flinkrecovery.fs;

import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.Path;

import io.flinkrecovery.objectstore.ObjectInfo;
import io.flinkrecovery.objectstore.ObjectLocation;

/** The status of an object (a file) or of a key prefix (a directory). */
final class S3FileStatus implements FileStatus {

    private final Path path;
    private final long length;
    private final long modificationTime;
    private final boolean directory;

    private S3FileStatus(Path path, long length, long modificationTime, boolean directory) {
        this.path = path;
        this.length = length;
        this.modificationTime = modificationTime;
        this.directory = directory;
    }

    static S3FileStatus ofFile(ObjectInfo object) {
        return new S3FileStatus(
                new Path(object.location().toUri()),
                object.size(),
                object.lastModified().toEpochMilli(),
                false);
    }

    static S3FileStatus ofDirectory(ObjectLocation location) {
        String key = location.key();
        String withoutSlash = key.endsWith("/") ? key.substring(0, key.length() - 1) : key;
        return new S3FileStatus(
                new Path(ObjectLocation.of(location.bucket(), withoutSlash).toUri()), 0, 0, true);
    }

    @Override
    public long getLen() {
        return length;
    }

    @Override
    public long getBlockSize() {
        return length;
    }

    @Override
    public short getReplication() {
        return 1;
    }

    @Override
    public long getModificationTime() {
        return modificationTime;
    }

    @Override
    public long getAccessTime() {
        return 0;
    }

    @Override
    public boolean isDir() {
        return directory;
    }

    @Override
    public Path getPath() {
        return path;
    }

    @Override
    public String toString() {
        return (directory ? "directory " : "file ")
                + path
                + (directory ? "" : " (" + length + " bytes)");
    }
}
