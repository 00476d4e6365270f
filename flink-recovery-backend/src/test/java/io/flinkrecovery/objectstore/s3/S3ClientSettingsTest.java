package io.flinkrecovery.objectstore.s3;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;

import io.flinkrecovery.config.S3Options;
import io.flinkrecovery.config.S3Options.ServerSideEncryption;
import io.flinkrecovery.testing.SelfSignedTls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class S3ClientSettingsTest {

    private static S3ClientSettings settings(Map<String, String> entries) {
        return S3ClientSettings.fromConfig(Configuration.fromMap(entries));
    }

    @Test
    void defaultsUseTheAwsChain() {
        S3ClientSettings settings = settings(Map.of());
        assertThat(settings.hasStaticCredentials()).isFalse();
        assertThat(settings.endpoint()).isNull();
        assertThat(settings.partSize()).isEqualTo(16L * 1024 * 1024);
        assertThat(settings.maxAttempts()).isEqualTo(10);
    }

    @Test
    void readsFlinksStandardKeysAndTheirHadoopStyleFallbacks() {
        S3ClientSettings settings =
                settings(
                        Map.of(
                                "s3.endpoint", "http://127.0.0.1:9000",
                                "s3.access.key", "ak",
                                "s3.secret.key", "sk",
                                "s3.path.style.access", "true"));
        assertThat(settings.hasStaticCredentials()).isTrue();
        assertThat(settings.pathStyleAccess()).isTrue();
        assertThat(settings.describeEndpoint()).isEqualTo("http://127.0.0.1:9000");
    }

    @Test
    void rejectsAPartSizeBelowTheS3Minimum() {
        assertThatThrownBy(() -> settings(Map.of("recovery.s3.upload.part-size", "1mb")))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessage(
                        "Invalid recovery.s3.upload.part-size: 1 mb (must be between 5mb and 5gb)");
    }

    @Test
    void rejectsAnUnparsableValueNamingTheKey() {
        assertThatThrownBy(() -> settings(Map.of("recovery.s3.retry.max-attempts", "many")))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("recovery.s3.retry.max-attempts")
                .hasMessageContaining("many");
    }

    @Test
    void rejectsHalfOfAKeyPair() {
        assertThatThrownBy(() -> settings(Map.of("s3.access-key", "ak")))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("set both s3.access-key and s3.secret-key");
    }

    @Test
    void rejectsAnEndpointWithoutScheme() {
        assertThatThrownBy(() -> settings(Map.of("s3.endpoint", "127.0.0.1:9000")))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessage(
                        "Invalid s3.endpoint: 127.0.0.1:9000 (must look like https://host[:port])");
    }

    @Test
    void toStringNeverShowsTheSecret() {
        S3ClientSettings settings =
                settings(
                        Map.of(
                                "s3.access-key",
                                "AKIAEXAMPLE",
                                "s3.secret-key",
                                "super-secret-value"));
        assertThat(settings.toString())
                .contains("AKIAEXAMPLE")
                .doesNotContain("super-secret-value");
    }

    @Test
    void truststoreIsLoadedAtConfigurationTime(@TempDir Path dir) {
        SelfSignedTls tls = SelfSignedTls.generate(dir);
        S3ClientSettings settings = settings(tls.flinkConfig());

        assertThat(settings.truststorePath()).isEqualTo(tls.truststorePath().toString());
        assertThat(settings.truststoreType()).isEqualTo("PKCS12");
        assertThat(TrustStores.trustManagers(settings)).isNotEmpty();
    }

    @Test
    void truststoreOptionsAreTheOnesTheEmbeddedServerWrites() {
        assertThat(SelfSignedTls.TRUSTSTORE_KEY).isEqualTo(S3Options.TLS_TRUSTSTORE.key());
        assertThat(SelfSignedTls.TRUSTSTORE_PASSWORD_KEY)
                .isEqualTo(S3Options.TLS_TRUSTSTORE_PASSWORD.key());
        assertThat(SelfSignedTls.TRUSTSTORE_TYPE_KEY)
                .isEqualTo(S3Options.TLS_TRUSTSTORE_TYPE.key());
        assertThat(S3Options.TLS_TRUSTSTORE_TYPE.defaultValue())
                .isEqualTo(SelfSignedTls.TRUSTSTORE_TYPE);
    }

    @Test
    void missingTruststoreNamesTheKeyAndPath(@TempDir Path dir) {
        Path missing = dir.resolve("nope.p12");
        assertThatThrownBy(() -> settings(Map.of("recovery.s3.tls.truststore", missing.toString())))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessage("Invalid recovery.s3.tls.truststore: " + missing + " (no such file)");
        assertThatThrownBy(() -> settings(Map.of("recovery.s3.tls.truststore", dir.toString())))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessage("Invalid recovery.s3.tls.truststore: " + dir + " (not a file)");
    }

    @Test
    void unreadableTruststoreNamesTheKeyPathAndType(@TempDir Path dir) throws IOException {
        Path garbage = Files.writeString(dir.resolve("garbage.p12"), "not a keystore");
        assertThatThrownBy(
                        () ->
                                settings(
                                        Map.of(
                                                "recovery.s3.tls.truststore",
                                                garbage.toString(),
                                                "recovery.s3.tls.truststore-password",
                                                "pw-1234")))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageStartingWith(
                        "Invalid recovery.s3.tls.truststore: "
                                + garbage
                                + " (cannot read it as a PKCS12 truststore: ")
                .hasMessageEndingWith("; see recovery.s3.tls.truststore-type)")
                .hasMessageNotContaining("pw-1234");
        assertThatThrownBy(
                        () ->
                                settings(
                                        Map.of(
                                                "recovery.s3.tls.truststore",
                                                garbage.toString(),
                                                "recovery.s3.tls.truststore-type",
                                                "NO-SUCH-TYPE")))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessage(
                        "Invalid recovery.s3.tls.truststore-type: NO-SUCH-TYPE (this JVM knows no"
                                + " such KeyStore type; use PKCS12 or JKS)");
    }

    @Test
    void wrongTruststorePasswordFailsWithoutShowingIt(@TempDir Path dir) {
        SelfSignedTls tls = SelfSignedTls.generate(dir);
        Map<String, String> config = new HashMap<>(tls.flinkConfig());
        config.put("recovery.s3.tls.truststore-password", "WRONG-trust-password-42");

        assertThatThrownBy(() -> settings(config))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessage(
                        "Invalid recovery.s3.tls.truststore-password for"
                                + " recovery.s3.tls.truststore "
                                + tls.truststorePath()
                                + ": the password is wrong")
                .satisfies(e -> assertThat(e.getCause()).isNotNull());
    }

    @Test
    void truststoreWithoutItsPasswordSaysWhichKeyIsMissing(@TempDir Path dir) {
        SelfSignedTls tls = SelfSignedTls.generate(dir);
        assertThatThrownBy(
                        () ->
                                settings(
                                        Map.of(
                                                "recovery.s3.tls.truststore",
                                                tls.truststorePath().toString())))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessage(
                        "Invalid recovery.s3.tls.truststore: "
                                + tls.truststorePath()
                                + " (no certificate can be read without a password: set"
                                + " recovery.s3.tls.truststore-password)");
    }

    @Test
    void truststoreWithoutCertificatesIsRejected(@TempDir Path dir) throws Exception {
        Path empty = dir.resolve("empty.p12");
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        try (OutputStream out = Files.newOutputStream(empty)) {
            store.store(out, "pw".toCharArray());
        }
        assertThatThrownBy(
                        () ->
                                settings(
                                        Map.of(
                                                "recovery.s3.tls.truststore",
                                                empty.toString(),
                                                "recovery.s3.tls.truststore-password",
                                                "pw")))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessage(
                        "Invalid recovery.s3.tls.truststore: "
                                + empty
                                + " (it holds no certificate)");
    }

    @Test
    void truststorePasswordNeedsATruststore() {
        assertThatThrownBy(() -> settings(Map.of("recovery.s3.tls.truststore-password", "pw-5678")))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessage(
                        "Invalid recovery.s3.tls.truststore-password: set without"
                                + " recovery.s3.tls.truststore");
    }

    @Test
    void toStringNamesTheTruststoreButNeverItsPassword(@TempDir Path dir) {
        SelfSignedTls tls = SelfSignedTls.generate(dir);
        S3ClientSettings settings = settings(tls.flinkConfig());

        assertThat(settings.toString())
                .contains("tls=truststore " + tls.truststorePath() + " (PKCS12)")
                .doesNotContain(tls.truststorePassword());
    }

    @Test
    void sseDefaultsToNoneAndReadsSseS3AndSseKms() {
        assertThat(settings(Map.of()).sseType()).isEqualTo(ServerSideEncryption.NONE);
        assertThat(settings(Map.of("recovery.s3.sse.type", "SSE_S3")).sseType())
                .isEqualTo(ServerSideEncryption.SSE_S3);
        S3ClientSettings kms =
                settings(
                        Map.of(
                                "recovery.s3.sse.type",
                                "SSE_KMS",
                                "recovery.s3.sse.kms-key-id",
                                "arn:aws:kms:eu-west-1:111122223333:key/abc"));
        assertThat(kms.sseType()).isEqualTo(ServerSideEncryption.SSE_KMS);
        assertThat(kms.sseKmsKeyId()).isEqualTo("arn:aws:kms:eu-west-1:111122223333:key/abc");
        assertThat(kms.toString())
                .contains("sse=SSE_KMS (key arn:aws:kms:eu-west-1:111122223333:key/abc)");
    }

    @Test
    void sseKmsNeedsAKeyIdAndOtherTypesRejectOne() {
        assertThatThrownBy(() -> settings(Map.of("recovery.s3.sse.type", "SSE_KMS")))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessage(
                        "Invalid recovery.s3.sse.kms-key-id: (none) (required when"
                                + " recovery.s3.sse.type is SSE_KMS)");
        assertThatThrownBy(
                        () ->
                                settings(
                                        Map.of(
                                                "recovery.s3.sse.type",
                                                "SSE_S3",
                                                "recovery.s3.sse.kms-key-id",
                                                "key-1")))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessage(
                        "Invalid recovery.s3.sse.kms-key-id: key-1 (only for recovery.s3.sse.type"
                                + " SSE_KMS, but it is SSE_S3)");
        assertThatThrownBy(() -> settings(Map.of("recovery.s3.sse.kms-key-id", "key-1")))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessage(
                        "Invalid recovery.s3.sse.kms-key-id: key-1 (only for recovery.s3.sse.type"
                                + " SSE_KMS, but it is NONE)");
        assertThatThrownBy(() -> settings(Map.of("recovery.s3.sse.type", "AES256")))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("recovery.s3.sse.type")
                .hasMessageContaining("AES256");
    }

    @Test
    void settingsThatDifferInTlsOrSseAreNotEqual(@TempDir Path dir) {
        Map<String, String> base = Map.of("s3.endpoint", "https://127.0.0.1:9000");
        S3ClientSettings plain = settings(base);
        Map<String, String> sse = new HashMap<>(base);
        sse.put("recovery.s3.sse.type", "SSE_S3");
        Map<String, String> tls = new HashMap<>(base);
        tls.putAll(SelfSignedTls.generate(dir).flinkConfig());

        assertThat(settings(base)).isEqualTo(plain).hasSameHashCodeAs(plain);
        assertThat(settings(sse)).isNotEqualTo(plain);
        assertThat(settings(tls)).isNotEqualTo(plain);
    }
}
