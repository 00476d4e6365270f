package io.flinkrecovery.inspect.cli;

import org.apache.flink.configuration.IllegalConfigurationException;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Map;

/**
 * {@code flink-recovery-inspect}: the restore inspector on the command line, parsed by picocli.
 * Exit codes: 0 valid or clean, 1 findings, 2 usage or access error.
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

    private InspectCli() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, System.getenv()));
    }

    /** Runs one command line and returns its exit code; for embedding and tests. */
    public static int run(
            String[] args, PrintStream out, PrintStream err, Map<String, String> environment) {
        return commandLine(out, err, environment).execute(args);
    }

    static CommandLine commandLine(PrintStream out, PrintStream err, Map<String, String> env) {
        CommandLine cli = new CommandLine(new InspectCommand(out, err, env));
        cli.addSubcommand(new Commands.ListCommand());
        cli.addSubcommand(new Commands.ValidateCommand());
        cli.addSubcommand(new Commands.LatestValidCommand());
        cli.addSubcommand(new Commands.PlanCommand());
        cli.addSubcommand(new Commands.OrphansCommand());
        cli.addSubcommand(new Commands.LeftoversCommand());
        cli.addSubcommand(new Commands.ReportCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setExitCodeExceptionMapper(e -> ERROR);
        cli.setParameterExceptionHandler(InspectCli::usageError);
        cli.setExecutionExceptionHandler(
                (e, command, parsed) -> {
                    if (e instanceof UsageException
                            || e instanceof IllegalConfigurationException
                            || e instanceof IllegalArgumentException) {
                        return usageError(new ParameterException(command, e.getMessage(), e), null);
                    }
                    if (e instanceof IOException) {
                        command.getErr().println("flink-recovery-inspect: " + e.getMessage());
                        return ERROR;
                    }
                    throw e;
                });
        return cli;
    }

    /** The message and the usage of the command it concerns, on stderr; exit code 2. */
    private static int usageError(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        String message = e.getMessage();
        if (e instanceof UnmatchedArgumentException
                && command.getParent() == null
                && !((UnmatchedArgumentException) e).getUnmatched().isEmpty()) {
            String first = ((UnmatchedArgumentException) e).getUnmatched().get(0);
            if (!first.startsWith("-")) {
                message = "Unknown command '" + first + "'";
            }
        }
        err.println("flink-recovery-inspect: " + message);
        UnmatchedArgumentException.printSuggestions(e, err);
        command.usage(err);
        return ERROR;
    }
}
