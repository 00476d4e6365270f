package io.flinkrecovery.it.cluster;

import org.apache.flink.configuration.Configuration;

import io.flinkrecovery.objectstore.ObjectInfo;
import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectStore;
import io.flinkrecovery.objectstore.PendingUpload;
import io.flinkrecovery.objectstore.s3.S3ClientSettings;
import io.flinkrecovery.objectstore.s3.S3ObjectStores;
import io.flinkrecovery.testing.EmbeddedS3Server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a {@code FileSink} on the cluster left below its output directory, read through the S3
 * server's own endpoint, which no injected fault reaches: the objects (committed part files, and
 * the hidden tail objects of in-progress files, whose names start with a dot), and the multipart
 * uploads still pending.
 */
final class FileSinkOutput {

    private final ObjectStore store;
    private final ObjectLocation directory;

    private FileSinkOutput(ObjectStore store, ObjectLocation directory) {
        this.store = store;
        this.directory = directory;
    }

    /** The output below {@code directory}, such as {@code s3://it-cluster/rows}. */
    static FileSinkOutput of(S3ServerProcess s3, String directory) {
        Configuration config = new Configuration();
        EmbeddedS3Server.flinkConfig(s3.directEndpoint()).forEach(config::setString);
        return new FileSinkOutput(
                S3ObjectStores.forSettings(S3ClientSettings.fromConfig(config)),
                ObjectLocation.parse(directory).child(""));
    }

    /** Such as {@code s3://it-cluster/rows/}, for the inspector. */
    String prefix() {
        return directory.toString();
    }

    /** Every object below the directory. */
    List<ObjectInfo> objects() throws IOException {
        try (Stream<ObjectInfo> objects = store.list(directory)) {
            return objects.collect(Collectors.toList());
        }
    }

    /** Whether {@code object} is hidden from readers of the output, as tail objects are. */
    static boolean hidden(ObjectInfo object) {
        return object.location().name().startsWith(".");
    }

    /** The multipart uploads below the directory that were neither completed nor aborted. */
    List<PendingUpload> pendingUploads() throws IOException {
        return store.listMultipartUploads(directory);
    }

    /** The lines of {@code file}, which must end with a complete one. */
    List<String> rows(ObjectInfo file) throws IOException {
        try (InputStream in = store.open(file.location())) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (!text.isEmpty() && !text.endsWith("\n")) {
                throw new IllegalStateException(file.location() + " ends with a partial line");
            }
            return text.lines().collect(Collectors.toList());
        }
    }
}
