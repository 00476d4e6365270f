package io.flinkrecovery.testing;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NetworkFaultsTest {

    @Test
    void changesOnlyTheNamedSettings() {
        NetworkFaults faults =
                NetworkFaults.NONE
                        .with(Map.of("slow-down", "0.02", "reset", "0.02", "timeout", "0.01"))
                        .with(Map.of("unreachable", "true", "latency-ms", "250"));

        assertThat(faults)
                .isEqualTo(new NetworkFaults(0.02, 0.02, 0.01, true, Duration.ofMillis(250)));
        assertThat(faults.with(Map.of("unreachable", "false")).unreachable()).isFalse();
        assertThat(faults.with(Map.of("unreachable", "false")).resetRate()).isEqualTo(0.02);
    }

    @Test
    void mapsBackToTheSameSettings() {
        NetworkFaults faults = new NetworkFaults(0.1, 0.2, 0.3, true, Duration.ofMillis(7));

        assertThat(faults.toMap())
                .containsExactly(
                        Map.entry("slow-down", "0.1"),
                        Map.entry("reset", "0.2"),
                        Map.entry("timeout", "0.3"),
                        Map.entry("unreachable", "true"),
                        Map.entry("latency-ms", "7"));
        assertThat(NetworkFaults.NONE.with(faults.toMap())).isEqualTo(faults);
        assertThat(NetworkFaults.NONE.isNone()).isTrue();
        assertThat(faults.isNone()).isFalse();
    }

    @Test
    void rejectsBadInputNamingIt() {
        assertThatThrownBy(() -> NetworkFaults.NONE.with(Map.of("reset", "1.5")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid reset: 1.5 (must be a rate from 0 to 1)");
        assertThatThrownBy(() -> NetworkFaults.NONE.with(Map.of("slow-down", "x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid slow-down: x (must be a rate from 0 to 1)");
        assertThatThrownBy(() -> NetworkFaults.NONE.with(Map.of("timeout", "NaN")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid timeout: NaN (must be a rate from 0 to 1)");
        assertThatThrownBy(() -> NetworkFaults.NONE.with(Map.of("unreachable", "yes")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid unreachable: yes (must be true or false)");
        assertThatThrownBy(() -> NetworkFaults.NONE.with(Map.of("latency-ms", "-1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid latency-ms: -1 (must be milliseconds ≥ 0)");
        assertThatThrownBy(() -> new NetworkFaults(0.5, 0.5, 0.5, false, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid rates: slow-down + reset + timeout = 1.5 (must be ≤ 1)");
        assertThatThrownBy(() -> NetworkFaults.NONE.with(Map.of("drop", "1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Unknown fault setting: drop (known: [slow-down, reset, timeout,"
                                + " unreachable, latency-ms])");
    }
}
