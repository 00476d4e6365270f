package io.flinkrecovery.inspect.cli;

import org.apache.flink.util.TimeUtils;

import io.flinkrecovery.inspect.JobReport;
import io.flinkrecovery.inspect.RestoreInspector;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.TypeConversionException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;

/** The inspector's subcommands: each reads its arguments and prints through its output class. */
final class Commands {

    private Commands() {}

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "Checkpoints and savepoints with status, size, objects and age.")
    static final class ListCommand implements Callable<Integer> {
        @ParentCommand InspectCommand top;

        @Parameters(paramLabel = "<job-dir>", description = "s3://bucket/checkpoints/<job-id>")
        String jobDir;

        @Override
        public Integer call() throws IOException {
            return new CheckpointOutput(top.out, top.json).list(top.inspector().list(jobDir));
        }
    }

    @Command(
            name = "validate",
            mixinStandardHelpOptions = true,
            description = "Check every object a checkpoint references, and its key groups.")
    static final class ValidateCommand implements Callable<Integer> {
        @ParentCommand InspectCommand top;

        @Parameters(
                paramLabel = "<pointer>",
                description = "s3://…/chk-<n> (or its _metadata), or a savepoint directory")
        String pointer;

        @Option(
                names = "--deep",
                description =
                        "Also read every object in full, and check the CRC32C of every block"
                                + " of the incremental heap backend's segments.")
        boolean deep;

        @Override
        public Integer call() throws IOException {
            return new CheckpointOutput(top.out, top.json)
                    .validate(top.inspector().validate(pointer, deep));
        }
    }

    @Command(
            name = "latest-valid",
            mixinStandardHelpOptions = true,
            description =
                    "The newest valid checkpoint of a job directory, for"
                            + " execution.state-recovery.path.")
    static final class LatestValidCommand implements Callable<Integer> {
        @ParentCommand InspectCommand top;

        @Parameters(paramLabel = "<job-dir>", description = "s3://bucket/checkpoints/<job-id>")
        String jobDir;

        @Override
        public Integer call() throws IOException {
            return new CheckpointOutput(top.out, top.json)
                    .latestValid(top.inspector().latestValid(jobDir), jobDir, top.err);
        }
    }

    @Command(
            name = "plan",
            mixinStandardHelpOptions = true,
            description =
                    "Bytes and GET requests per keyed subtask of a restore with a given"
                            + " parallelism, and the depth of incremental chains.")
    static final class PlanCommand implements Callable<Integer> {
        @ParentCommand InspectCommand top;

        @Parameters(paramLabel = "<pointer>", description = "s3://…/chk-<n>")
        String pointer;

        @Option(
                names = "--parallelism",
                required = true,
                paramLabel = "N",
                converter = PositiveInt.class,
                description = "The parallelism of the restore.")
        int parallelism;

        @Override
        public Integer call() throws IOException {
            return new CheckpointOutput(top.out, top.json)
                    .plan(top.inspector().plan(pointer, parallelism));
        }
    }

    @Command(
            name = "orphans",
            mixinStandardHelpOptions = true,
            description = {
                "Objects in a job directory that no retained checkpoint references, and"
                        + " multipart uploads there that were never completed.",
                "A dry run unless --delete is given."
            })
    static final class OrphansCommand implements Callable<Integer> {
        @ParentCommand InspectCommand top;

        @Parameters(paramLabel = "<job-dir>", description = "s3://bucket/checkpoints/<job-id>")
        String jobDir;

        @Option(
                names = "--grace",
                defaultValue = "1h",
                paramLabel = "<duration>",
                converter = DurationConverter.class,
                description =
                        "Leave alone what is younger (a checkpoint in progress); default"
                                + " ${DEFAULT-VALUE}.")
        Duration grace;

        @Option(names = "--delete", description = "Delete the orphans and abort the uploads.")
        boolean delete;

        @Override
        public Integer call() throws IOException {
            return new CleanupOutput(top.out, top.json)
                    .orphans(top.inspector().orphans(jobDir, grace, delete, Instant.now()), grace);
        }
    }

    @Command(
            name = "leftovers",
            mixinStandardHelpOptions = true,
            description = {
                "Multipart uploads never completed, and tail objects of in-progress files,"
                        + " that failed checkpoints left below a prefix such as a FileSink's"
                        + " output.",
                "A dry run unless --delete is given."
            })
    static final class LeftoversCommand implements Callable<Integer> {
        @ParentCommand InspectCommand top;

        @Parameters(paramLabel = "<prefix>", description = "s3://bucket/out/")
        String prefix;

        @Option(
                names = "--grace",
                defaultValue = "1d",
                paramLabel = "<duration>",
                converter = DurationConverter.class,
                description =
                        "Longer than a part file stays open and a stopped job waits to be"
                                + " restored; default ${DEFAULT-VALUE}.")
        Duration grace;

        @Option(names = "--delete", description = "Abort the uploads and delete the tails.")
        boolean delete;

        @Override
        public Integer call() throws IOException {
            Instant now = Instant.now();
            RestoreInspector inspector = top.inspector();
            return new CleanupOutput(top.out, top.json)
                    .leftovers(
                            inspector.abandonedUploads(prefix, grace, delete, now),
                            inspector.abandonedTails(prefix, grace, delete, now),
                            grace,
                            delete);
        }
    }

    @Command(
            name = "report",
            mixinStandardHelpOptions = true,
            description = {
                "The history of a job directory: every retained checkpoint with the bytes it"
                        + " uploaded and reused, its backend and its fast check; the newest one's"
                        + " key groups and restore plan; live and orphaned bytes.",
                "--html writes it as one self-contained page (no script, nothing fetched)."
            })
    static final class ReportCommand implements Callable<Integer> {
        @ParentCommand InspectCommand top;

        @Parameters(paramLabel = "<job-dir>", description = "s3://bucket/checkpoints/<job-id>")
        String jobDir;

        @Option(names = "--html", paramLabel = "<file>", description = "Write the HTML page here.")
        Path html;

        @Option(
                names = "--parallelism",
                paramLabel = "N",
                converter = PositiveInt.class,
                description =
                        "Also plan a restore with this parallelism (the newest checkpoint's own"
                                + " is always planned).")
        int parallelism;

        @Option(
                names = "--grace",
                defaultValue = "1h",
                paramLabel = "<duration>",
                converter = DurationConverter.class,
                description =
                        "Unreferenced objects younger than this count as in progress, not"
                                + " orphaned; default ${DEFAULT-VALUE}.")
        Duration grace;

        @Override
        public Integer call() throws IOException {
            long start = System.nanoTime();
            JobReport report = top.inspector().report(jobDir, parallelism, grace, Instant.now());
            int code;
            if (html == null || top.json) {
                code = new ReportOutput(top.out, top.json).print(report);
            } else {
                code = ReportOutput.allValid(report) ? InspectCli.OK : InspectCli.FINDINGS;
            }
            if (html != null) {
                String version = String.join(", ", new InspectCommand.Version().getVersion());
                byte[] page =
                        HtmlReport.render(report, "Written by " + version)
                                .getBytes(StandardCharsets.UTF_8);
                Files.write(html, page);
                top.err.printf(
                        "Wrote %s (%d bytes, %d checkpoints) in %d ms%n",
                        html,
                        page.length,
                        report.checkpoints().size(),
                        (System.nanoTime() - start) / 1_000_000);
                if (!top.json) {
                    top.out.println(html);
                }
            }
            return code;
        }
    }

    /** Durations as Flink's configuration writes them: {@code 30s}, {@code 1h}, {@code 2 d}. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return TimeUtils.parseDuration(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(
                        "'" + value + "' is not a duration (such as 30s, 1h, 2d)");
            }
        }
    }

    /** A positive int, with a message that says so. */
    static final class PositiveInt implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                int parsed = Integer.parseInt(value);
                if (parsed > 0) {
                    return parsed;
                }
            } catch (NumberFormatException e) {
                // below
            }
            throw new TypeConversionException("'" + value + "' is not a positive integer");
        }
    }
}
