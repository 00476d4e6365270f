package io.flinkrecovery;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.runtime.state.CheckpointMetadataOutputStream;
import org.apache.flink.runtime.state.CheckpointStateOutputStream;
import org.apache.flink.runtime.state.CheckpointStorageAccess;
import org.apache.flink.runtime.state.CheckpointStorageLocation;
import org.apache.flink.runtime.state.CheckpointedStateScope;
import org.apache.flink.testutils.logging.LoggerAuditingExtension;

import io.flinkrecovery.inspect.cli.InspectCli;
import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectOutputStream;
import io.flinkrecovery.objectstore.ObjectStore;
import io.flinkrecovery.objectstore.WriteMode;
import io.flinkrecovery.objectstore.s3.S3ClientSettings;
import io.flinkrecovery.objectstore.s3.S3ObjectStores;
import io.flinkrecovery.storage.S3CheckpointStorage;
import io.flinkrecovery.testing.EmbeddedS3Extension;
import io.flinkrecovery.testing.FaultInjector.Fault;
import io.flinkrecovery.testing.FaultInjector.Operation;
import org.apache.logging.log4j.core.LogEvent;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.Level;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Invariant 4: no secret appears in logs, exceptions or reports. Against an HTTPS server that
 * accepts only a distinctive secret key, this runs operations that succeed and operations that fail
 * (missing object, missing bucket, wrong secret, unreachable endpoint, untrusted certificate,
 * failed multipart upload, invalid configuration, the inspector CLI), captures every exception
 * (with its causes and suppressed exceptions, as a stack trace prints them), every log event that
 * flink-recovery, the AWS SDK, its Apache HTTP client (headers and wire) and Flink emit at DEBUG,
 * every {@code toString} and the CLI's output, and checks that neither the secret key, nor a wrong
 * secret key, nor the truststore password appears anywhere. We support no session token.
 */
class SecretsNeverPrintedTest {

    private static final String ACCESS_KEY = "AKIA-visible-access-key";
    private static final String SECRET = "SECRET-do-not-print-0123";
    private static final String WRONG_SECRET = "SECRET-wrong-do-not-print-4567";
    private static final String WRONG_TRUSTSTORE_PASSWORD = "TRUST-wrong-do-not-print-89";

    @RegisterExtension
    @Order(1)
    static final EmbeddedS3Extension S3 =
            new EmbeddedS3Extension("secret-test").withHttps().withCredentials(ACCESS_KEY, SECRET);

    @RegisterExtension
    final LoggerAuditingExtension ourLogs =
            new LoggerAuditingExtension("io.flinkrecovery", Level.DEBUG);

    @RegisterExtension
    final LoggerAuditingExtension sdkLogs =
            new LoggerAuditingExtension("software.amazon", Level.DEBUG);

    @RegisterExtension
    final LoggerAuditingExtension httpLogs =
            new LoggerAuditingExtension("org.apache.http", Level.DEBUG);

    @RegisterExtension
    final LoggerAuditingExtension flinkLogs =
            new LoggerAuditingExtension("org.apache.flink", Level.DEBUG);

    /** Everything captured, by where it came from. */
    private final Map<String, String> captured = new LinkedHashMap<>();

    @Test
    void noSecretInExceptionsLogsToStringOrInspectorOutput(@TempDir Path dir) throws Exception {
        assertThat(S3.flinkConfig()).containsEntry("s3.secret-key", SECRET);
        String truststorePassword = S3.tls().truststorePassword();
        String jobDir = "s3://" + S3.bucket() + "/ckp-" + UUID.randomUUID();

        Configuration good = config(Map.of());
        ObjectStore store = S3ObjectStores.forSettings(S3ClientSettings.fromConfig(good));
        capture("settings", S3ClientSettings.fromConfig(good).toString());

        // Successful writes and reads: a PUT, a multipart upload, a GET, a listing, a delete.
        ObjectLocation object = ObjectLocation.parse(jobDir + "/plain");
        store.put(object, new byte[100]);
        try (ObjectOutputStream out =
                store.create(ObjectLocation.parse(jobDir + "/large"), WriteMode.OVERWRITE)) {
            out.write(new byte[6 * 1024 * 1024]);
        }
        try (InputStream in = store.open(object)) {
            assertThat(in.readAllBytes()).hasSize(100);
        }
        assertThat(store.head(object)).isPresent();
        store.listDirectory(ObjectLocation.parse(jobDir));
        store.deleteBatch(List.of(ObjectLocation.parse(jobDir + "/large")));

        // Failing operations.
        expectFailure(
                "missing object",
                () -> store.open(ObjectLocation.parse(jobDir + "/nothing")).read());
        expectFailure(
                "missing bucket",
                () -> store.put(ObjectLocation.parse("s3://no-such-bucket/x"), new byte[1]));
        ObjectStore wrongSecret =
                S3ObjectStores.forSettings(
                        S3ClientSettings.fromConfig(config(Map.of("s3.secret-key", WRONG_SECRET))));
        expectFailure("wrong secret (403)", () -> wrongSecret.put(object, new byte[1]));
        expectFailure("wrong secret, read", () -> wrongSecret.head(object));
        Map<String, String> unreachable = new HashMap<>();
        unreachable.put("s3.endpoint", "https://127.0.0.1:1");
        unreachable.put("recovery.s3.retry.max-attempts", "1");
        ObjectStore nowhere =
                S3ObjectStores.forSettings(S3ClientSettings.fromConfig(config(unreachable)));
        expectFailure("unreachable endpoint", () -> nowhere.head(object));
        Configuration untrustedConfig = config(Map.of("recovery.s3.retry.max-attempts", "1"));
        untrustedConfig.removeKey("recovery.s3.tls.truststore");
        untrustedConfig.removeKey("recovery.s3.tls.truststore-password");
        ObjectStore untrusted =
                S3ObjectStores.forSettings(S3ClientSettings.fromConfig(untrustedConfig));
        expectFailure("untrusted certificate", () -> untrusted.put(object, new byte[1]));
        ObjectStore noRetries =
                S3ObjectStores.forSettings(
                        S3ClientSettings.fromConfig(
                                config(Map.of("recovery.s3.retry.max-attempts", "1"))));
        S3.faults().failAll(Operation.UPLOAD_PART, Fault.INTERNAL_ERROR);
        expectFailure(
                "failed multipart upload",
                () -> {
                    try (ObjectOutputStream out =
                            noRetries.create(
                                    ObjectLocation.parse(jobDir + "/failing"),
                                    WriteMode.CREATE_NEW)) {
                        out.write(new byte[11 * 1024 * 1024]);
                    }
                });
        S3.faults().clear();
        expectFailure(
                "secret key without access key",
                () ->
                        S3ClientSettings.fromConfig(
                                Configuration.fromMap(Map.of("s3.secret-key", SECRET))));
        expectFailure(
                "wrong truststore password",
                () ->
                        S3ClientSettings.fromConfig(
                                config(
                                        Map.of(
                                                "recovery.s3.tls.truststore-password",
                                                WRONG_TRUSTSTORE_PASSWORD))));

        // The checkpoint storage: its toString, a checkpoint, and a restore from a missing one.
        Configuration storageConfig = config(Map.of());
        storageConfig.setString("execution.checkpointing.dir", jobDir);
        storageConfig.setString("recovery.restore.validate", "false");
        S3CheckpointStorage storage = S3CheckpointStorage.fromConfig(storageConfig);
        capture("storage", storage.toString());
        JobID job = new JobID();
        CheckpointStorageAccess access = storage.createCheckpointStorage(job);
        access.initializeBaseLocationsForCheckpoint();
        CheckpointStorageLocation location = access.initializeLocationForCheckpoint(1);
        try (CheckpointStateOutputStream out =
                location.createCheckpointStateOutputStream(CheckpointedStateScope.EXCLUSIVE)) {
            out.write(new byte[50_000]);
            out.closeAndGetHandle();
        }
        CheckpointMetadataOutputStream metadata = location.createMetadataOutputStream();
        metadata.write(new byte[10]);
        metadata.closeAndFinalizeCheckpoint();
        expectFailure(
                "restore a missing checkpoint",
                () -> storage.resolveCheckpoint(jobDir + "/x/chk-9"));

        // The inspector CLI, with the secret on its command line and the truststore in --conf.
        Path conf = dir.resolve("config.yaml");
        Files.writeString(
                conf,
                "recovery.s3.tls.truststore: "
                        + S3.tls().truststorePath()
                        + "\nrecovery.s3.tls.truststore-password: "
                        + truststorePassword
                        + "\n");
        String[] connection = {
            "--conf",
            conf.toString(),
            "--endpoint",
            S3.endpoint(),
            "--access-key",
            ACCESS_KEY,
            "--path-style"
        };
        assertThat(runCli("cli list", connection, SECRET, "list", jobDir + "/" + job)).isEqualTo(0);
        assertThat(
                        runCli(
                                "cli validate",
                                connection,
                                SECRET,
                                "validate",
                                jobDir + "/" + job + "/chk-1"))
                .as("made-up _metadata")
                .isEqualTo(1);
        assertThat(runCli("cli wrong secret", connection, WRONG_SECRET, "list", jobDir + "/" + job))
                .isEqualTo(2);
        assertThat(
                        runCli(
                                "cli missing",
                                connection,
                                SECRET,
                                "validate",
                                jobDir + "/" + job + "/chk-7"))
                .isNotZero();

        captureLogs("our logs", ourLogs);
        captureLogs("AWS SDK logs", sdkLogs);
        captureLogs("HTTP client logs", httpLogs);
        captureLogs("Flink logs", flinkLogs);

        // Not vacuous: the captures hold the requests' credentials scope and the failures.
        String all = String.join("\n", captured.values());
        assertThat(all)
                .contains("Credential=" + ACCESS_KEY + "/")
                .contains("access denied by " + S3.endpoint())
                .contains("is not trusted")
                .contains("Invalid recovery.s3.tls.truststore-password")
                .contains("HTTP 500 InternalError");
        assertThat(sdkLogs.getEvents()).isNotEmpty();
        assertThat(httpLogs.getEvents()).isNotEmpty();
        // Flink's own configuration logging hides these keys as ******.
        assertThat(GlobalConfiguration.isSensitive("s3.secret-key")).isTrue();
        assertThat(GlobalConfiguration.isSensitive("recovery.s3.tls.truststore-password")).isTrue();

        List<String> leaks = new ArrayList<>();
        for (Map.Entry<String, String> entry : captured.entrySet()) {
            for (String secret :
                    List.of(SECRET, WRONG_SECRET, truststorePassword, WRONG_TRUSTSTORE_PASSWORD)) {
                int at = entry.getValue().indexOf(secret);
                if (at >= 0) {
                    leaks.add(
                            entry.getKey()
                                    + " shows "
                                    + secret
                                    + " in: "
                                    + around(entry.getValue(), at));
                }
            }
        }
        assertThat(leaks).isEmpty();
    }

    /** The line around {@code at}, so that a failure shows where a secret leaked. */
    private static String around(String text, int at) {
        int start = text.lastIndexOf('\n', at) + 1;
        int end = text.indexOf('\n', at);
        return text.substring(start, end < 0 ? text.length() : end);
    }

    private static Configuration config(Map<String, String> overrides) {
        Map<String, String> entries = new HashMap<>(S3.flinkConfig());
        entries.put("recovery.s3.upload.part-size", "5mb");
        entries.putAll(overrides);
        return Configuration.fromMap(entries);
    }

    private interface Failing {
        void run() throws Exception;
    }

    private void expectFailure(String what, Failing operation) {
        try {
            operation.run();
        } catch (Exception e) {
            capture(what, stackTrace(e));
            return;
        }
        fail(what + " did not fail");
    }

    /** Runs the inspector CLI with {@code --secret-key secret}; returns its exit code. */
    private int runCli(String what, String[] connection, String secret, String... command) {
        List<String> args = new ArrayList<>(List.of(connection));
        args.add("--secret-key");
        args.add(secret);
        args.addAll(List.of(command));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exitCode =
                InspectCli.run(
                        args.toArray(new String[0]),
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        Map.of());
        capture(
                what + " (exit " + exitCode + ")",
                out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8));
        return exitCode;
    }

    private void captureLogs(String what, LoggerAuditingExtension logs) {
        StringBuilder text = new StringBuilder();
        for (LogEvent event : logs.getEvents()) {
            text.append(event.getLoggerName())
                    .append(' ')
                    .append(event.getMessage().getFormattedMessage())
                    .append('\n');
            if (event.getThrown() != null) {
                text.append(stackTrace(event.getThrown()));
            }
        }
        capture(what, text.toString());
    }

    private void capture(String what, String text) {
        captured.merge(what, text, (a, b) -> a + "\n" + b);
    }

    /** The message of the exception, its causes and suppressed ones, as a log would show them. */
    private static String stackTrace(Throwable e) {
        StringWriter text = new StringWriter();
        e.printStackTrace(new PrintWriter(text));
        return text.toString();
    }
}
