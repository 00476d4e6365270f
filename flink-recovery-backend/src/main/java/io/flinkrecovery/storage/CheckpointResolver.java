package io.flinkrecovery.storage;

import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.runtime.state.filesystem.FsCompletedCheckpointStorageLocation;

import io.flinkrecovery.config.RestoreOptions;
import io.flinkrecovery.config.RestoreOptions.Fallback;
import io.flinkrecovery.fs.S3FileSystem;
import io.flinkrecovery.inspect.Finding;
import io.flinkrecovery.inspect.InspectionReport;
import io.flinkrecovery.inspect.RestoreInspector;
import io.flinkrecovery.objectstore.ObjectLocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Serializable;
import java.util.Optional;

/**
 * Resolves the checkpoint Flink is asked to restore, after proving it will restore: the restore
 * inspector's fast validation runs on the JobManager, before any task is deployed. An invalid
 * checkpoint fails with one error that lists what is missing or corrupt, or, if the operator opted
 * in, the newest valid checkpoint of the same job is restored instead.
 */
final class CheckpointResolver implements Serializable {

    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointResolver.class);

    private final boolean validate;
    private final Fallback fallback;

    CheckpointResolver(ReadableConfig config) {
        this.validate = config.get(RestoreOptions.VALIDATE);
        this.fallback = config.get(RestoreOptions.FALLBACK);
    }

    FsCompletedCheckpointStorageLocation resolve(S3FileSystem fs, String pointer)
            throws IOException {
        if (!validate) {
            return CheckpointPointers.resolve(fs, pointer);
        }
        RestoreInspector inspector = new RestoreInspector(fs.objectStore());
        long start = System.nanoTime();
        InspectionReport report = inspector.validate(pointer, false);
        if (report.isValid()) {
            LOG.info(
                    "Validated {} before restoring it in {} ms: {} objects ({} bytes) exist with"
                            + " their sizes, key groups covered",
                    report.pointer(),
                    (System.nanoTime() - start) / 1_000_000,
                    report.objectsChecked(),
                    report.referencedBytes());
            return CheckpointPointers.resolve(fs, pointer);
        }
        if (fallback == Fallback.LATEST_VALID) {
            Optional<InspectionReport> latest =
                    inspector.latestValid(jobDirectoryOf(report.pointer()));
            if (latest.isPresent()) {
                LOG.warn(
                        "Checkpoint {} is not valid:{}\nRestoring the newest valid checkpoint {}"
                                + " instead (recovery.restore.fallback: LATEST_VALID). Sinks that are"
                                + " not transactional may see output again that they already saw.",
                        report.pointer(),
                        report.describeErrors(),
                        latest.get().pointer());
                return CheckpointPointers.resolve(fs, latest.get().pointer());
            }
        }
        if (report.findings().stream().anyMatch(f -> f.kind() == Finding.Kind.MISSING_METADATA)) {
            return CheckpointPointers.resolve(fs, pointer); // throws its own message
        }
        throw new IOException(
                "Cannot restore from "
                        + pointer
                        + ": the restore inspector found "
                        + report.findings().stream().filter(f -> f.kind().isError()).count()
                        + " problem(s) before any task was deployed:"
                        + report.describeErrors()
                        + "\nRestore from another checkpoint (bin/flink-recovery-inspect latest-valid "
                        + jobDirectoryOf(report.pointer())
                        + "), or set recovery.restore.fallback: LATEST_VALID.");
    }

    private static String jobDirectoryOf(String checkpointDirectory) {
        return ObjectLocation.parse(checkpointDirectory).parent().toString();
    }
}
