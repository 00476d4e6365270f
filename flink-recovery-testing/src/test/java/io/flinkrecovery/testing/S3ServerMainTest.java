package io.flinkrecovery.testing;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class S3ServerMainTest {

    @Test
    void parsesEveryOption() {
        S3ServerMain.Options options =
                S3ServerMain.Options.parse(
                        "--data-dir",
                        "/tmp/s3",
                        "--port",
                        "9000",
                        "--control-port",
                        "9001",
                        "--bucket",
                        "a-b",
                        "--bucket",
                        "c-d");

        assertThat(options.dataDir()).isEqualTo(Path.of("/tmp/s3"));
        assertThat(options.port()).isEqualTo(9000);
        assertThat(options.controlPort()).isEqualTo(9001);
        assertThat(options.buckets()).isEqualTo(List.of("a-b", "c-d"));
    }

    @Test
    void portDefaultsToAFreeOne() {
        assertThat(S3ServerMain.Options.parse("--data-dir", "d").port()).isZero();
        assertThat(S3ServerMain.Options.parse("--data-dir", "d").controlPort()).isZero();
    }

    @Test
    void rejectsBadInputNamingIt() {
        assertThatThrownBy(() -> S3ServerMain.Options.parse("--port", "1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Missing --data-dir");
        assertThatThrownBy(() -> S3ServerMain.Options.parse("--data-dir", "d", "--port", "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid --port: x (must be 0 to 65535; 0 picks a free one)");
        assertThatThrownBy(
                        () ->
                                S3ServerMain.Options.parse(
                                        "--data-dir", "d", "--control-port", "70000"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Invalid --control-port: 70000 (must be 0 to 65535; 0 picks a free one)");
        assertThatThrownBy(() -> S3ServerMain.Options.parse("--data-dir"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Missing value of --data-dir");
        assertThatThrownBy(() -> S3ServerMain.Options.parse("--data-dir", "d", "--verbose", "1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Unknown argument: --verbose");
        assertThatThrownBy(() -> S3ServerMain.Options.parse("--data-dir", "d", "--bucket", "B"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid bucket name: B");
    }
}
