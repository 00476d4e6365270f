package io.flinkrecovery.fs;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystemBehaviorTestSuite;
import org.apache.flink.core.fs.FileSystemKind;
import org.apache.flink.core.fs.Path;

import io.flinkrecovery.testing.EmbeddedS3Extension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.util.UUID;

/**
 * Flink's own contract for file systems ({@code flink-core}'s test jar), run as an object store on
 * {@code s3://} against a real S3-compatible server.
 */
class S3FileSystemBehaviorTest extends FileSystemBehaviorTestSuite {

    @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("fs-behavior");

    private static Path basePath;

    @BeforeAll
    static void registerFileSystem() {
        FileSystem.initialize(Configuration.fromMap(S3.flinkConfig()), null);
        basePath = new Path("s3://" + S3.bucket() + "/behavior-" + UUID.randomUUID());
    }

    @Override
    protected FileSystem getFileSystem() throws IOException {
        return basePath.getFileSystem();
    }

    @Override
    protected Path getBasePath() {
        return basePath;
    }

    @Override
    protected FileSystemKind getFileSystemKind() {
        return FileSystemKind.OBJECT_STORE;
    }
}
