package io.flinkrecovery.it;

import io.flinkrecovery.inspect.cli.InspectCli;
import io.flinkrecovery.testing.EmbeddedS3Extension;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs {@code flink-recovery-inspect} in this JVM against the embedded S3 server, as an operator
 * would: connection flags on the command line, the secret key in {@code AWS_SECRET_ACCESS_KEY}.
 */
final class InspectorRuns {

    private InspectorRuns() {}

    static Result run(EmbeddedS3Extension s3, String... args) {
        List<String> all = new ArrayList<>();
        s3.flinkConfig()
                .forEach(
                        (key, value) -> {
                            switch (key) {
                                case "s3.endpoint":
                                    all.add("--endpoint=" + value);
                                    break;
                                case "s3.access-key":
                                    all.add("--access-key=" + value);
                                    break;
                                case "s3.region":
                                    all.add("--region=" + value);
                                    break;
                                case "s3.path.style.access":
                                    all.add("--path-style");
                                    break;
                                default:
                                    break;
                            }
                        });
        all.addAll(List.of(args));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                InspectCli.run(
                        all.toArray(new String[0]),
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        Map.of("AWS_SECRET_ACCESS_KEY", s3.server().secretKey()));
        return new Result(
                code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The exit code and what the inspector printed. */
    static final class Result {
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
