package io.flinkrecovery.objectstore.s3;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;

import org.junit.jupiter.api.Test;

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
}
