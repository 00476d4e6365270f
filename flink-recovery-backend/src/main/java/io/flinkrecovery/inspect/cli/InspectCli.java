package io.flinkrecovery.inspect.cli;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.util.TimeUtils;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

import io.flinkrecovery.inspect.CheckpointSummary;
import io.flinkrecovery.inspect.Finding;
import io.flinkrecovery.inspect.InspectionReport;
import io.flinkrecovery.inspect.Progress;
import io.flinkrecovery.inspect.RestoreInspector;
import io.flinkrecovery.inspect.RestorePlan;
import io.flinkrecovery.objectstore.ObjectStore;
import io.flinkrecovery.objectstore.s3.S3ClientSettings;
import io.flinkrecovery.objectstore.s3.S3ObjectStores;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code flink-recovery-inspect}: the restore inspector on the command line. Exit codes: 0 valid or
 * clean, 1 findings, 2 usage or access error.
 */
public final class InspectCli {

    static final int OK = 0;
    static final int FINDINGS = 1;
    static final int ERROR = 2;

    /**
     * Writes every {@code --json} output. Flink's own shaded Jackson: it is on every Flink
     * classpath, so the jar bundles no second copy.
     */
    static final ObjectMapper JSON = new ObjectMapper();

    static final String USAGE =
            String.join(
                    "\n",
                    "Usage: flink-recovery-inspect [options] <command> <arguments>",
                    "Commands:",
                    "  list <job-dir>                        checkpoints and savepoints with status, size, objects, age",
                    "  validate <pointer> [--deep]           check every object a checkpoint references (--deep: read them)",
                    "  latest-valid <job-dir>                the newest valid checkpoint, for execution.state-recovery.path",
                    "  plan <pointer> --parallelism N        bytes and GETs per subtask of a restore, and chain depth",
                    "  orphans <job-dir> [--grace 1h] [--delete]   objects no retained checkpoint references,",
                    "                                        and multipart uploads never completed",
                    "  leftovers <prefix> [--grace 1d] [--delete]  multipart uploads never completed and tail",
                    "                                        objects of in-progress files that failed checkpoints",
                    "                                        left below a FileSink's output (--delete removes them)",
                    "Options:",
                    "  --json                 machine-readable output",
                    "  --conf <config.yaml>   read s3.* keys from a Flink configuration (file or directory)",
                    "  --endpoint <url> --region <r> --access-key <k> --secret-key <s> --path-style",
                    "                         (or AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)",
                    "Exit codes: 0 valid or clean, 1 findings, 2 usage or access error.");

    private static final Set<String> VALUE_FLAGS =
            Set.of(
                    "conf",
                    "endpoint",
                    "region",
                    "access-key",
                    "secret-key",
                    "grace",
                    "parallelism");
    private static final Set<String> SWITCHES =
            Set.of("json", "deep", "delete", "path-style", "help");

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;

    InspectCli(PrintStream out, PrintStream err, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.env = env;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, System.getenv()));
    }

    /** Runs one command line and returns its exit code; for embedding and tests. */
    public static int run(
            String[] args, PrintStream out, PrintStream err, Map<String, String> environment) {
        return new InspectCli(out, err, environment).run(args);
    }

    int run(String[] args) {
        Map<String, String> flags = new LinkedHashMap<>();
        List<String> positional = new ArrayList<>();
        try {
            parse(args, flags, positional);
            if (flags.containsKey("help")) {
                out.println(USAGE);
                return OK;
            }
            if (positional.size() != 2) {
                throw new UsageException("Expected a command and one location, got " + positional);
            }
            Configuration config = ConnectionConfig.build(flags, env);
            ObjectStore store = S3ObjectStores.forSettings(S3ClientSettings.fromConfig(config));
            RestoreInspector inspector =
                    new RestoreInspector(
                            store, InspectCli.class.getClassLoader(), Progress.to(err), 16);
            return execute(inspector, positional.get(0), positional.get(1), flags);
        } catch (UsageException | IllegalConfigurationException | IllegalArgumentException e) {
            err.println("flink-recovery-inspect: " + e.getMessage());
            err.println(USAGE);
            return ERROR;
        } catch (IOException e) {
            err.println("flink-recovery-inspect: " + e.getMessage());
            return ERROR;
        }
    }

    private int execute(
            RestoreInspector inspector, String command, String location, Map<String, String> flags)
            throws IOException {
        boolean json = flags.containsKey("json");
        switch (command) {
            case "list":
                return list(inspector.list(location), json);
            case "validate":
                return validate(inspector.validate(location, flags.containsKey("deep")), json);
            case "latest-valid":
                return latestValid(inspector.latestValid(location), location, json);
            case "plan":
                String parallelism = flags.get("parallelism");
                if (parallelism == null) {
                    throw new UsageException("plan needs --parallelism N");
                }
                return plan(inspector.plan(location, parseParallelism(parallelism)), json);
            case "orphans":
                Duration grace = TimeUtils.parseDuration(flags.getOrDefault("grace", "1h"));
                return new CleanupOutput(out, json)
                        .orphans(
                                inspector.orphans(
                                        location,
                                        grace,
                                        flags.containsKey("delete"),
                                        Instant.now()),
                                grace);
            case "leftovers":
                Duration sinkGrace = TimeUtils.parseDuration(flags.getOrDefault("grace", "1d"));
                boolean delete = flags.containsKey("delete");
                Instant now = Instant.now();
                return new CleanupOutput(out, json)
                        .leftovers(
                                inspector.abandonedUploads(location, sinkGrace, delete, now),
                                inspector.abandonedTails(location, sinkGrace, delete, now),
                                sinkGrace,
                                delete);
            default:
                throw new UsageException("Unknown command '" + command + "'");
        }
    }

    private int list(List<CheckpointSummary> checkpoints, boolean json) throws IOException {
        if (json) {
            out.println(
                    JSON.writeValueAsString(
                            checkpoints.stream()
                                    .map(InspectCli::toMap)
                                    .collect(Collectors.toList())));
            return OK;
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
        return OK;
    }

    private int validate(InspectionReport report, boolean json) throws IOException {
        if (json) {
            out.println(JSON.writeValueAsString(toMap(report)));
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
        return report.isValid() ? OK : FINDINGS;
    }

    private int latestValid(Optional<InspectionReport> latest, String jobDir, boolean json)
            throws IOException {
        if (json) {
            out.println(JSON.writeValueAsString(latest.map(InspectCli::toMap).orElse(Map.of())));
        } else if (latest.isPresent()) {
            out.println(latest.get().pointer());
        } else {
            err.println("No valid checkpoint in " + jobDir);
        }
        return latest.isPresent() ? OK : FINDINGS;
    }

    private int plan(RestorePlan plan, boolean json) throws IOException {
        if (json) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (RestorePlan.Subtask s : plan.subtasks()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("operator", s.operator());
                row.put("subtask", s.subtask());
                row.put(
                        "keyGroups",
                        s.keyGroups().getStartKeyGroup() + "-" + s.keyGroups().getEndKeyGroup());
                row.put("bytes", s.bytes());
                row.put("gets", s.gets());
                row.put("maxChainDepth", s.maxChainDepth());
                rows.add(row);
            }
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("pointer", plan.pointer());
            map.put("parallelism", plan.parallelism());
            map.put("subtasks", rows);
            out.println(JSON.writeValueAsString(map));
            return OK;
        }
        out.println(
                "Restore of " + plan.pointer() + " with parallelism " + plan.parallelism() + ":");
        Table table =
                new Table("operator", "subtask", "key groups", "bytes", "GETs", "max chain depth");
        for (RestorePlan.Subtask s : plan.subtasks()) {
            table.row(
                    s.operator(),
                    Integer.toString(s.subtask()),
                    s.keyGroups().getStartKeyGroup() + "-" + s.keyGroups().getEndKeyGroup(),
                    Long.toString(s.bytes()),
                    Integer.toString(s.gets()),
                    s.maxChainDepth() == 0 ? "-" : Integer.toString(s.maxChainDepth()));
        }
        table.print(out);
        return OK;
    }

    private static int parseParallelism(String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new UsageException(
                    "Invalid --parallelism " + value + " (must be a positive integer)");
        }
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

    private static Map<String, Object> toMap(InspectionReport report) {
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
            Map<String, Object> finding = new LinkedHashMap<>();
            finding.put("kind", f.kind().name());
            finding.put("operator", f.operator());
            finding.put("subtask", f.subtask());
            finding.put("object", f.object());
            finding.put("message", f.message());
            findings.add(finding);
        }
        map.put("findings", findings);
        return map;
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

    private static void parse(String[] args, Map<String, String> flags, List<String> positional) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                positional.add(arg);
                continue;
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (SWITCHES.contains(name) && value == null) {
                flags.put(name, "true");
            } else if (VALUE_FLAGS.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new UsageException("--" + name + " needs a value");
                    }
                    value = args[++i];
                }
                flags.put(name, value);
            } else {
                throw new UsageException("Unknown option --" + name);
            }
        }
    }
}
