package io.flinkrecovery.benchmarks;

import io.flinkrecovery.objectstore.ObjectInfo;
import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectStore;
import io.flinkrecovery.objectstore.PendingUpload;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a FileSink run left below its output directory, read with our own client after the run (so
 * the server's counts of the run do not include it).
 *
 * @param committedFiles part files at their final names
 * @param committedBytes their total size
 * @param rows what the committed files hold
 * @param otherObjects objects that are not committed files: in-progress data of persisted files
 *     that nobody deleted
 * @param pendingUploads multipart uploads neither completed nor aborted
 */
record SinkOutput(
        long committedFiles,
        long committedBytes,
        RowCheck rows,
        long otherObjects,
        long pendingUploads) {

    /** The final name of a FileSink part file: prefix "part", the writer's UUID, a counter. */
    private static final Pattern COMMITTED = Pattern.compile("part-[0-9a-f-]+-[0-9]+");

    /**
     * Reads every committed file below {@code outDir}, which must hold rows {@code 0..rows-1}
     * written by {@link FileSinkJob}, then deletes every object below it and aborts every upload,
     * so that the in-memory server keeps nothing of finished runs.
     */
    static SinkOutput checkAndDelete(
            ObjectStore store, ObjectLocation outDir, long rows, int rowBytes) throws IOException {
        List<ObjectInfo> objects;
        try (Stream<ObjectInfo> listed = store.list(outDir)) {
            objects = listed.collect(Collectors.toList());
        }
        RowCheck check = new RowCheck(rows, rowBytes);
        long committedFiles = 0;
        long committedBytes = 0;
        for (ObjectInfo object : objects) {
            if (COMMITTED.matcher(object.location().name()).matches()) {
                committedFiles++;
                committedBytes += object.size();
                try (InputStream in = store.open(object.location())) {
                    check.addFile(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        }
        List<PendingUpload> pending = store.listMultipartUploads(outDir);
        store.deleteBatch(objects.stream().map(ObjectInfo::location).collect(Collectors.toList()));
        for (PendingUpload upload : pending) {
            store.abortMultipartUpload(upload.location(), upload.uploadId());
        }
        return new SinkOutput(
                committedFiles,
                committedBytes,
                check,
                objects.size() - committedFiles,
                pending.size());
    }
}
