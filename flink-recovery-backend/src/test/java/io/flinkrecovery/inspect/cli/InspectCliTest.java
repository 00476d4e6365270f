package io.flinkrecovery.inspect.cli;

import org.apache.flink.runtime.util.EnvironmentInformation;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line itself: help, version and usage errors, which need no S3 server. */
class InspectCliTest {

    @Test
    void helpListsEveryCommandAndExitCode() {
        Result help = cli("--help");
        assertThat(help.code).isZero();
        assertThat(help.out)
                .startsWith("Usage: flink-recovery-inspect")
                .contains(
                        "list",
                        "validate",
                        "latest-valid",
                        "plan",
                        "orphans",
                        "leftovers",
                        "report")
                .contains("--endpoint=<url>", "--conf=<config.yaml>", "--json")
                .contains("0   valid or clean", "1   findings", "2   usage or access error");
    }

    @Test
    void eachCommandHasItsOwnHelp() {
        for (String command :
                new String[] {
                    "list", "validate", "latest-valid", "plan", "orphans", "leftovers", "report"
                }) {
            Result help = cli(command, "--help");
            assertThat(help.code).as(command).isZero();
            assertThat(help.out)
                    .as(command)
                    .startsWith("Usage: flink-recovery-inspect " + command)
                    .contains("--endpoint=<url>");
        }
        assertThat(cli("validate", "--help").out).contains("--deep");
        assertThat(cli("plan", "--help").out).contains("--parallelism=N");
        assertThat(cli("orphans", "--help").out).contains("--grace=<duration>", "default 1h");
        assertThat(cli("leftovers", "--help").out).contains("default 1d", "--delete");
        assertThat(cli("report", "--help").out)
                .contains("--html=<file>", "--parallelism=N", "--grace=<duration>");
    }

    @Test
    void versionNamesFlink() {
        Result version = cli("--version");
        assertThat(version.code).isZero();
        assertThat(version.out)
                .startsWith("flink-recovery-inspect ")
                .contains("Flink " + EnvironmentInformation.getVersion());
    }

    @Test
    void usageErrorsExitWithTwoAndSayWhatIsWrong() {
        assertUsageError(cli(), "Missing command", "Usage: flink-recovery-inspect [");
        assertUsageError(
                cli("frobnicate", "s3://b/j"),
                "Unknown command 'frobnicate'",
                "Usage: flink-recovery-inspect [");
        assertUsageError(
                cli("plan", "s3://b/j/chk-1"),
                "Missing required option: '--parallelism=N'",
                "Usage: flink-recovery-inspect plan");
        assertUsageError(
                cli("plan", "s3://b/j/chk-1", "--parallelism", "0"),
                "Invalid value for option '--parallelism': '0' is not a positive integer",
                "Usage: flink-recovery-inspect plan");
        assertUsageError(
                cli("orphans", "s3://b/j", "--grace", "soon"),
                "Invalid value for option '--grace': 'soon' is not a duration",
                "Usage: flink-recovery-inspect orphans");
        assertUsageError(
                cli("validate", "s3://b/j/chk-1", "--fast"),
                "Unknown option: '--fast'",
                "Usage: flink-recovery-inspect validate");
        assertUsageError(
                cli("list"),
                "Missing required parameter: '<job-dir>'",
                "Usage: flink-recovery-inspect list");
        assertUsageError(
                cli("--conf", "/no/such/dir", "list", "s3://b/j"),
                "--conf /no/such/dir: no such file or directory",
                "Usage: flink-recovery-inspect list");
    }

    private static void assertUsageError(Result result, String message, String usage) {
        assertThat(result.code).as(result.err).isEqualTo(2);
        assertThat(result.out).isEmpty();
        assertThat(result.err).startsWith("flink-recovery-inspect: " + message).contains(usage);
    }

    private static Result cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                InspectCli.run(
                        args,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        Map.of());
        return new Result(
                code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static final class Result {
        final int code;
        final String out;
        final String err;

        Result(int code, String out, String err) {
            this.code = code;
            this.out = out;
            this.err = err;
        }
    }
}
