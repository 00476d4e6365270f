package io.flinkrecovery.inspect.cli;

import org.apache.flink.util.TimeUtils;

import io.flinkrecovery.inspect.OrphanReport;
import io.flinkrecovery.objectstore.ObjectInfo;
import io.flinkrecovery.objectstore.PendingUpload;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Prints what the {@code orphans} and {@code leftovers} commands found and removed, as a table or
 * as JSON, and chooses the exit code: findings left in place are reported with 1.
 */
final class CleanupOutput {

    private final PrintStream out;
    private final boolean json;

    CleanupOutput(PrintStream out, boolean json) {
        this.out = out;
        this.json = json;
    }

    int orphans(OrphanReport report, Duration grace) throws IOException {
        if (json) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("jobDirectory", report.jobDirectory());
            map.put("liveObjects", report.liveObjects());
            map.put("tooYoung", report.tooYoung());
            map.put("workingFiles", report.workingFiles());
            map.put("deleted", report.deleted());
            map.put("orphanBytes", report.orphanBytes());
            map.put(
                    "orphans",
                    report.orphans().stream()
                            .map(o -> o.location().toString())
                            .collect(Collectors.toList()));
            map.put("abandonedUploads", uploadMaps(report.abandonedUploads()));
            out.println(InspectCli.JSON.writeValueAsString(map));
        } else {
            Table table = new Table("orphan", "bytes", "last modified");
            for (ObjectInfo orphan : report.orphans()) {
                table.row(
                        orphan.location().toString(),
                        Long.toString(orphan.size()),
                        orphan.lastModified().toString());
            }
            for (PendingUpload upload : report.abandonedUploads()) {
                table.row(
                        upload.location() + " (multipart upload " + upload.uploadId() + ")",
                        "",
                        upload.initiated().toString());
            }
            table.print(out);
            out.printf(
                    "%d orphan(s), %d bytes, %s; %d referenced object(s); %d unreferenced object(s)"
                            + " younger than the grace period %s left alone%n",
                    report.orphans().size(),
                    report.orphanBytes(),
                    report.deleted() ? "deleted" : "not deleted (dry run; add --delete)",
                    report.liveObjects(),
                    report.tooYoung(),
                    TimeUtils.formatWithHighestUnit(grace));
            if (report.workingFiles() > 0) {
                out.printf(
                        "%d unreferenced object(s) are ForSt's working files (shared/op_*_attempt_*/)"
                                + " and are never deleted: a running job writes them before a"
                                + " checkpoint references them. Remove them once the job is gone.%n",
                        report.workingFiles());
            }
            if (!report.abandonedUploads().isEmpty()) {
                out.printf(
                        "%d multipart upload(s) never completed, %s%n",
                        report.abandonedUploads().size(),
                        report.deleted() ? "aborted" : "not aborted (dry run; add --delete)");
            }
        }
        return (report.orphans().isEmpty() && report.abandonedUploads().isEmpty())
                        || report.deleted()
                ? InspectCli.OK
                : InspectCli.FINDINGS;
    }

    int leftovers(
            List<PendingUpload> uploads, List<ObjectInfo> tails, Duration grace, boolean deleted)
            throws IOException {
        if (json) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("deleted", deleted);
            map.put("abandonedUploads", uploadMaps(uploads));
            map.put(
                    "abandonedTails",
                    tails.stream().map(o -> o.location().toString()).collect(Collectors.toList()));
            out.println(InspectCli.JSON.writeValueAsString(map));
        } else {
            Table table = new Table("leftover", "object", "upload id or bytes", "since");
            for (PendingUpload upload : uploads) {
                table.row(
                        "upload",
                        upload.location().toString(),
                        upload.uploadId(),
                        upload.initiated().toString());
            }
            for (ObjectInfo tail : tails) {
                table.row(
                        "tail",
                        tail.location().toString(),
                        Long.toString(tail.size()),
                        tail.lastModified().toString());
            }
            table.print(out);
            out.printf(
                    "%d multipart upload(s) never completed and %d tail object(s), older than %s,"
                            + " %s%n",
                    uploads.size(),
                    tails.size(),
                    TimeUtils.formatWithHighestUnit(grace),
                    deleted ? "removed" : "left (dry run; add --delete)");
        }
        return (uploads.isEmpty() && tails.isEmpty()) || deleted
                ? InspectCli.OK
                : InspectCli.FINDINGS;
    }

    private static List<Map<String, Object>> uploadMaps(List<PendingUpload> uploads) {
        List<Map<String, Object>> maps = new ArrayList<>();
        for (PendingUpload upload : uploads) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("object", upload.location().toString());
            map.put("uploadId", upload.uploadId());
            map.put("initiated", upload.initiated().toString());
            maps.add(map);
        }
        return maps;
    }
}
