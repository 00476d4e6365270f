package io.flinkrecovery.benchmarks;

import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

import java.util.function.Function;

/** Parsing and checking the benchmarks' picocli command lines, one way for every benchmark. */
final class CommandLines {

    private CommandLines() {}

    /**
     * The options {@code args} set on {@code options}, checked by {@code validate}; prints the
     * usage of {@code command} and exits, with 0 for {@code --help} and with 2 after the message of
     * a usage error.
     */
    static <T> T parseOrExit(
            T options, String command, String[] args, Function<CommandLine, T> validate) {
        CommandLine cli = commandLine(options);
        cli.setCommandName(command);
        try {
            ParseResult parsed = cli.parseArgs(args);
            if (CommandLine.printHelpIfRequested(parsed)) {
                System.exit(0);
            }
            return validate.apply(cli);
        } catch (ParameterException e) {
            System.err.println(e.getMessage());
            cli.usage(System.err);
            System.exit(2);
            throw e;
        }
    }

    /** The options {@code args} set, or a {@link ParameterException} that says what is wrong. */
    static <T> T parse(T options, String[] args, Function<CommandLine, T> validate) {
        CommandLine cli = commandLine(options);
        cli.parseArgs(args);
        return validate.apply(cli);
    }

    /** Enum values are accepted in any case: {@code --values text}. */
    private static CommandLine commandLine(Object options) {
        return new CommandLine(options).setCaseInsensitiveEnumValuesAllowed(true);
    }

    static void positive(CommandLine cli, String option, long value) {
        if (value <= 0) {
            throw new ParameterException(
                    cli, "Invalid " + option + ": " + value + " (must be > 0)");
        }
    }
}
