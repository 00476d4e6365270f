package io.flinkrecovery.inspect.cli;

import io.flinkrecovery.inspect.Finding;
import io.flinkrecovery.inspect.JobReport;
import io.flinkrecovery.inspect.RestorePlan;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Prints what the {@code report} command found, as a table or as JSON (the same data as its HTML
 * page), and chooses the exit code: 1 if a retained checkpoint fails the fast check.
 */
final class ReportOutput {

    private final PrintStream out;
    private final boolean json;

    ReportOutput(PrintStream out, boolean json) {
        this.out = out;
        this.json = json;
    }

    int print(JobReport report) throws IOException {
        if (json) {
            out.println(InspectCli.JSON.writeValueAsString(toMap(report)));
        } else {
            Table table =
                    new Table(
                            "checkpoint",
                            "backend",
                            "valid",
                            "state bytes",
                            "new bytes",
                            "reused bytes",
                            "objects");
            for (JobReport.Checkpoint c : report.checkpoints()) {
                table.row(
                        "chk-" + c.id(),
                        c.backend().label(),
                        c.validation().isValid() ? "valid" : "INVALID",
                        Long.toString(c.stateBytes()),
                        Long.toString(c.newBytes()),
                        Long.toString(c.reusedBytes()),
                        Integer.toString(c.objects()));
            }
            table.print(out);
            JobReport.Space space = report.space();
            out.printf(
                    "%d object(s), %d bytes under %s: %d live, %d orphaned, %d younger than the"
                            + " grace; space amplification %.2f%n",
                    space.storedObjects(),
                    space.storedBytes(),
                    report.jobDirectory(),
                    space.liveBytes(),
                    space.orphanedBytes(),
                    space.youngUnreferencedBytes(),
                    report.spaceAmplification());
        }
        return allValid(report) ? InspectCli.OK : InspectCli.FINDINGS;
    }

    static boolean allValid(JobReport report) {
        return report.checkpoints().stream().allMatch(c -> c.validation().isValid());
    }

    /** The subtask a restore waits on: the one that downloads the most bytes. */
    static int slowest(RestorePlan plan) {
        int slowest = -1;
        long most = -1;
        for (int i = 0; i < plan.subtasks().size(); i++) {
            if (plan.subtasks().get(i).bytes() > most) {
                most = plan.subtasks().get(i).bytes();
                slowest = i;
            }
        }
        return slowest;
    }

    static Map<String, Object> toMap(JobReport report) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("jobDirectory", report.jobDirectory());
        map.put("generatedAt", report.generatedAt().toString());
        List<Map<String, Object>> checkpoints = new ArrayList<>();
        for (JobReport.Checkpoint c : report.checkpoints()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", c.id());
            row.put("pointer", c.pointer());
            row.put("backend", c.backend().name());
            row.put("valid", c.validation().isValid());
            row.put("stateBytes", c.stateBytes());
            row.put("newBytes", c.newBytes());
            row.put("reusedBytes", c.reusedBytes());
            row.put("objects", c.objects());
            row.put("metadataBytes", c.metadataBytes());
            row.put("completed", c.completed().toString());
            row.put("writtenBy", c.writtenBy().orElse(null));
            List<Map<String, Object>> findings = new ArrayList<>();
            for (Finding f : c.validation().findings()) {
                findings.add(CheckpointOutput.toMap(f));
            }
            row.put("findings", findings);
            checkpoints.add(row);
        }
        map.put("checkpoints", checkpoints);
        map.put("incompleteCheckpoints", report.incompleteCheckpoints());
        List<Map<String, Object>> keyGroups = new ArrayList<>();
        for (JobReport.KeyGroups k : report.keyGroups()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("operator", k.operator());
            row.put("subtask", k.subtask());
            row.put("firstKeyGroup", k.firstKeyGroup());
            row.put("newBytes", k.newBytes());
            row.put("reusedBytes", k.reusedBytes());
            row.put("bytes", k.bytes());
            k.chainDepths().ifPresent(depths -> row.put("chainDepths", depths));
            keyGroups.add(row);
        }
        map.put("keyGroups", keyGroups);
        List<Map<String, Object>> plans = new ArrayList<>();
        for (RestorePlan plan : report.plans()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("parallelism", plan.parallelism());
            int slowest = slowest(plan);
            row.put("slowestSubtask", slowest < 0 ? -1 : plan.subtasks().get(slowest).subtask());
            row.put(
                    "subtasks",
                    plan.subtasks().stream()
                            .map(CheckpointOutput::toMap)
                            .collect(Collectors.toList()));
            plans.add(row);
        }
        map.put("restorePlans", plans);
        JobReport.Space space = report.space();
        Map<String, Object> spaceMap = new LinkedHashMap<>();
        spaceMap.put("storedObjects", space.storedObjects());
        spaceMap.put("storedBytes", space.storedBytes());
        spaceMap.put("liveBytes", space.liveBytes());
        spaceMap.put("orphanedObjects", space.orphanedObjects());
        spaceMap.put("orphanedBytes", space.orphanedBytes());
        spaceMap.put("youngUnreferencedBytes", space.youngUnreferencedBytes());
        spaceMap.put("amplification", Math.round(report.spaceAmplification() * 100) / 100.0);
        map.put("space", spaceMap);
        return map;
    }
}
