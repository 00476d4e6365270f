package io.flinkrecovery.fs;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.fs.RecoverableWriter;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import io.flinkrecovery.objectstore.ObjectInfo;
import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.testing.EmbeddedS3Extension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** What the recoverable writer's tests share: the file system, contents, and object listings. */
final class RecoverableWriterTesting {

    /** The writer's part size in these tests: above S3's 5 MiB minimum, as Flink's tests do. */
    static final int PART_SIZE = 6 * 1024 * 1024;

    private RecoverableWriterTesting() {}

    /** Registers our {@code s3://} file system with {@link #PART_SIZE} parts. */
    static void registerFileSystem(EmbeddedS3Extension s3) {
        Configuration config = Configuration.fromMap(s3.flinkConfig());
        config.setString("recovery.s3.upload.part-size", "6mb");
        FileSystem.initialize(config, null);
    }

    static S3FileSystem fileSystem(Path path) throws IOException {
        return (S3FileSystem) path.getFileSystem();
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code text} repeated until it has at least {@code size} bytes. */
    static String chunkOf(String text, int size) {
        StringBuilder chunk = new StringBuilder(size + text.length());
        while (chunk.length() < size) {
            chunk.append(text);
        }
        return chunk.toString();
    }

    static String contents(Path file) throws IOException {
        try (FSDataInputStream in = fileSystem(file).open(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Every object below {@code dir}, hidden ones included, as {@code name (size)}. */
    static List<String> objectsBelow(Path dir) throws IOException {
        ObjectLocation prefix = ObjectLocation.parse(dir.toUri()).child("");
        try (Stream<ObjectInfo> objects = fileSystem(dir).objectStore().list(prefix)) {
            return objects.map(o -> o.location().name() + " (" + o.size() + ")")
                    .collect(Collectors.toList());
        }
    }

    /** The keys of uploads below {@code dir} that were neither completed nor aborted. */
    static List<String> pendingUploadsBelow(Path dir) throws IOException {
        ObjectLocation prefix = ObjectLocation.parse(dir.toUri()).child("");
        return fileSystem(dir).objectStore().listMultipartUploads(prefix).stream()
                .map(upload -> upload.location().name())
                .collect(Collectors.toList());
    }

    /** Serializes with one writer and deserializes with another, as a restore would. */
    static RecoverableWriter.ResumeRecoverable throughCheckpoint(
            RecoverableWriter.ResumeRecoverable recoverable,
            RecoverableWriter from,
            RecoverableWriter to)
            throws IOException {
        SimpleVersionedSerializer<RecoverableWriter.ResumeRecoverable> out =
                from.getResumeRecoverableSerializer();
        byte[] bytes = out.serialize(recoverable);
        return to.getResumeRecoverableSerializer().deserialize(out.getVersion(), bytes);
    }

    static RecoverableWriter.CommitRecoverable throughCheckpoint(
            RecoverableWriter.CommitRecoverable recoverable,
            RecoverableWriter from,
            RecoverableWriter to)
            throws IOException {
        SimpleVersionedSerializer<RecoverableWriter.CommitRecoverable> out =
                from.getCommitRecoverableSerializer();
        byte[] bytes = out.serialize(recoverable);
        return to.getCommitRecoverableSerializer().deserialize(out.getVersion(), bytes);
    }
}
