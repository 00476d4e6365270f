package io.flinkrecovery.inspect.cli;

import io.flinkrecovery.inspect.CheckpointSummary;
import io.flinkrecovery.inspect.Finding;
import io.flinkrecovery.inspect.InspectionReport;
import io.flinkrecovery.inspect.RestorePlan;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Prints what the {@code list}, {@code validate}, {@code latest-valid} and {@code plan} commands
 * found, as a table or as JSON, and chooses the exit code.
 */
final class CheckpointOutput {

    private final PrintStream out;
    private final boolean json;

    CheckpointOutput(PrintStream out, boolean json) {
        this.out = out;
        this.json = json;
    }

    int list(List<CheckpointSummary> checkpoints) throws IOException {
        if (json) {
            out.println(
                    InspectCli.JSON.writeValueAsString(
                            checkpoints.stream()
                                    .map(CheckpointOutput::toMap)
                                    .collect(Collectors.toList())));
            return InspectCli.OK;
        }
        Table table = new Table("checkpoint", "status", "objects", "bytes", "age", "pointer");
        Instant now = Instant.now();
        for (CheckpointSummary c : checkpoints) {
            table.row(
                    c.checkpointId() >= 0 ? "chk-" + c.checkpointId() : "savepoint",
                    c.status().name(),
                    Integer.toString(c.objects()),
                    Long.toString(c.bytes()),
                    age(Duration.between(c.lastModified(), now)),
                    c.pointer());
        }
        table.print(out);
        return InspectCli.OK;
    }

    int validate(InspectionReport report) throws IOException {
        if (json) {
            out.println(InspectCli.JSON.writeValueAsString(toMap(report)));
        } else {
            out.println(report);
            Table table = new Table("finding", "operator", "subtask", "message");
            for (Finding f : report.findings()) {
                table.row(
                        f.kind().name(),
                        f.operator() == null ? "" : f.operator(),
                        f.subtask() < 0 ? "" : Integer.toString(f.subtask()),
                        f.message());
            }
            if (!report.findings().isEmpty()) {
                table.print(out);
            }
        }
        return report.isValid() ? InspectCli.OK : InspectCli.FINDINGS;
    }

    int latestValid(Optional<InspectionReport> latest, String jobDir, PrintStream err)
            throws IOException {
        if (json) {
            out.println(
                    InspectCli.JSON.writeValueAsString(
                            latest.map(CheckpointOutput::toMap).orElse(Map.of())));
        } else if (latest.isPresent()) {
            out.println(latest.get().pointer());
        } else {
            err.println("No valid checkpoint in " + jobDir);
        }
        return latest.isPresent() ? InspectCli.OK : InspectCli.FINDINGS;
    }

    int plan(RestorePlan plan) throws IOException {
        if (json) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (RestorePlan.Subtask s : plan.subtasks()) {
                rows.add(toMap(s));
            }
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("pointer", plan.pointer());
            map.put("parallelism", plan.parallelism());
            map.put("subtasks", rows);
            out.println(InspectCli.JSON.writeValueAsString(map));
            return InspectCli.OK;
        }
        out.println(
                "Restore of " + plan.pointer() + " with parallelism " + plan.parallelism() + ":");
        Table table =
                new Table("operator", "subtask", "key groups", "bytes", "GETs", "max chain depth");
        for (RestorePlan.Subtask s : plan.subtasks()) {
            table.row(
                    s.operator(),
                    Integer.toString(s.subtask()),
                    keyGroups(s),
                    Long.toString(s.bytes()),
                    Integer.toString(s.gets()),
                    s.maxChainDepth() == 0 ? "-" : Integer.toString(s.maxChainDepth()));
        }
        table.print(out);
        return InspectCli.OK;
    }

    static Map<String, Object> toMap(RestorePlan.Subtask s) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("operator", s.operator());
        row.put("subtask", s.subtask());
        row.put("keyGroups", keyGroups(s));
        row.put("bytes", s.bytes());
        row.put("gets", s.gets());
        row.put("maxChainDepth", s.maxChainDepth());
        return row;
    }

    static String keyGroups(RestorePlan.Subtask s) {
        return s.keyGroups().getStartKeyGroup() + "-" + s.keyGroups().getEndKeyGroup();
    }

    private static Map<String, Object> toMap(CheckpointSummary c) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("pointer", c.pointer());
        map.put("checkpointId", c.checkpointId());
        map.put("status", c.status().name());
        map.put("objects", c.objects());
        map.put("bytes", c.bytes());
        map.put("lastModified", c.lastModified().toString());
        return map;
    }

    static Map<String, Object> toMap(InspectionReport report) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("pointer", report.pointer());
        map.put("checkpointId", report.checkpointId());
        report.metadataVersion()
                .ifPresent(
                        version -> {
                            map.put("metadataVersion", version.number());
                            map.put("writtenBy", version.writtenBy());
                        });
        map.put("valid", report.isValid());
        map.put("objectsChecked", report.objectsChecked());
        map.put("referencedBytes", report.referencedBytes());
        map.put("inlinedBytes", report.inlinedBytes());
        List<Map<String, Object>> findings = new ArrayList<>();
        for (Finding f : report.findings()) {
            findings.add(toMap(f));
        }
        map.put("findings", findings);
        return map;
    }

    static Map<String, Object> toMap(Finding f) {
        Map<String, Object> finding = new LinkedHashMap<>();
        finding.put("kind", f.kind().name());
        finding.put("operator", f.operator());
        finding.put("subtask", f.subtask());
        finding.put("object", f.object());
        finding.put("message", f.message());
        return finding;
    }

    private static String age(Duration age) {
        long seconds = Math.max(0, age.getSeconds());
        if (seconds < 120) {
            return seconds + "s";
        } else if (seconds < 7200) {
            return seconds / 60 + "m";
        } else if (seconds < 172800) {
            return seconds / 3600 + "h";
        }
        return seconds / 86400 + "d";
    }
}
