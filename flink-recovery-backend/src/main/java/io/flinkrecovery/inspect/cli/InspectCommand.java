package io.flinkrecovery.inspect.cli;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.util.EnvironmentInformation;

import io.flinkrecovery.inspect.Progress;
import io.flinkrecovery.inspect.RestoreInspector;
import io.flinkrecovery.objectstore.ObjectStore;
import io.flinkrecovery.objectstore.s3.S3ClientSettings;
import io.flinkrecovery.objectstore.s3.S3ObjectStores;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The top-level command: the options every subcommand shares (output format and the S3 connection,
 * which may stand before or after the subcommand's name), and the inspector they build.
 */
@Command(
        name = "flink-recovery-inspect",
        mixinStandardHelpOptions = true,
        versionProvider = InspectCommand.Version.class,
        description = "Proves that Flink checkpoints on S3 will restore, and cleans up after them.",
        synopsisSubcommandLabel = "<command>",
        commandListHeading = "%nCommands:%n",
        optionListHeading = "%nOptions:%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:valid or clean", "1:findings", "2:usage or access error"},
        footer = {
            "",
            "S3 connection, later wins: --conf, then AWS_ENDPOINT_URL, AWS_REGION,"
                    + " AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, then the options.",
            "Run flink-recovery-inspect <command> --help for a command's arguments."
        })
final class InspectCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(
            names = "--json",
            scope = ScopeType.INHERIT,
            description = "Machine-readable output (see the README for its shape).")
    boolean json;

    @Option(
            names = "--conf",
            scope = ScopeType.INHERIT,
            paramLabel = "<config.yaml>",
            description = "Read the s3.* keys from a Flink configuration (file or directory).")
    String conf;

    @Option(
            names = "--endpoint",
            scope = ScopeType.INHERIT,
            paramLabel = "<url>",
            description = "s3.endpoint")
    String endpoint;

    @Option(
            names = "--region",
            scope = ScopeType.INHERIT,
            paramLabel = "<region>",
            description = "s3.region")
    String region;

    @Option(
            names = "--access-key",
            scope = ScopeType.INHERIT,
            paramLabel = "<key>",
            description = "s3.access-key")
    String accessKey;

    @Option(
            names = "--secret-key",
            scope = ScopeType.INHERIT,
            paramLabel = "<secret>",
            description = "s3.secret-key")
    String secretKey;

    @Option(
            names = "--path-style",
            scope = ScopeType.INHERIT,
            description = "s3.path.style.access: true")
    boolean pathStyle;

    final PrintStream out;
    final PrintStream err;
    private final Map<String, String> env;

    InspectCommand(PrintStream out, PrintStream err, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.env = env;
    }

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command");
    }

    /** The inspector over the S3 connection that the options, environment and file describe. */
    RestoreInspector inspector() {
        Configuration config = ConnectionConfig.build(this, env);
        ObjectStore store = S3ObjectStores.forSettings(S3ClientSettings.fromConfig(config));
        return new RestoreInspector(store, InspectCli.class.getClassLoader(), Progress.to(err), 16);
    }

    /** This jar's version, and the Flink it runs with. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Package jar = InspectCommand.class.getPackage();
            String version = jar.getImplementationVersion();
            String title = jar.getImplementationTitle();
            return new String[] {
                "flink-recovery-inspect "
                        + (version == null ? "(development build)" : version)
                        + (title == null ? "" : " (" + title + ")"),
                "Flink " + EnvironmentInformation.getVersion()
            };
        }
    }
}
