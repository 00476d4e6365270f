package io.flinkrecovery.testing;

import io.flinkrecovery.testing.FaultInjector.Operation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The fault proxy in front of the S3 server, driven through its HTTP control as a test in another
 * process drives it: each fault reaches the real SDK client as S3 would send it, and a failed
 * request never reaches the server.
 */
class FaultProxyTest {

    private static final String BUCKET = "proxy-bucket";
    private static final Duration SOCKET_TIMEOUT = Duration.ofMillis(1500);

    @RegisterExtension
    @Order(1)
    static final EmbeddedS3Extension S3 = new EmbeddedS3Extension(BUCKET);

    private static FaultProxy proxy;
    private static FaultControlServer controlServer;
    private static FaultControl control;
    private static S3Client noRetries;
    private static S3Client retries;

    @BeforeAll
    static void startProxy() {
        proxy = FaultProxy.start(0, URI.create(S3.server().endpoint()).getPort());
        controlServer = FaultControlServer.start(0, proxy);
        control = FaultControl.at(controlServer.url());
        retries = TestS3Clients.through(S3.server(), proxy.endpoint(), SOCKET_TIMEOUT, true);
    }

    @AfterAll
    static void stopProxy() {
        retries.close();
        controlServer.close();
        proxy.close();
    }

    /**
     * A new client per test: a reset or an unreachable server leaves dead connections in a pool,
     * and a client without retries would fail on them.
     */
    @BeforeEach
    void createClient() {
        noRetries = TestS3Clients.through(S3.server(), proxy.endpoint(), SOCKET_TIMEOUT, false);
    }

    @AfterEach
    void clearFaults() {
        noRetries.close();
        control.clear();
    }

    @Test
    void forwardsRequestsAndCountsThem() {
        long before = control.count(FaultProxy.REQUESTS);

        put(noRetries, "plain/key", "value");

        assertThat(get(noRetries, "plain/key")).isEqualTo("value");
        assertThat(control.count(FaultProxy.REQUESTS)).isEqualTo(before + 2);
    }

    @Test
    void slowDownAnswers503SlowDownWithoutReachingTheServer() {
        int puts = S3.faults().callCount(Operation.PUT_OBJECT);
        control.set(Map.of(NetworkFaults.SLOW_DOWN, "1"));

        assertThatThrownBy(() -> put(noRetries, "slow/key", "value"))
                .isInstanceOfSatisfying(
                        S3Exception.class,
                        e -> {
                            assertThat(e.statusCode()).isEqualTo(503);
                            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("SlowDown");
                        })
                .hasMessageContaining("injected by the fault proxy");
        assertThat(S3.faults().callCount(Operation.PUT_OBJECT)).isEqualTo(puts);
        assertThat(control.count(FaultProxy.SLOW_DOWNS)).isGreaterThanOrEqualTo(1);
    }

    @Test
    void resetFailsTheRequestOnTheConnectionWithoutReachingTheServer() {
        put(noRetries, "reset/key", "value");
        int gets = S3.faults().callCount(Operation.GET_OBJECT);
        long resets = control.count(FaultProxy.RESETS);
        control.set(Map.of(NetworkFaults.RESET, "1"));

        assertThatThrownBy(() -> get(noRetries, "reset/key"))
                .isInstanceOf(SdkClientException.class)
                .hasMessageContaining("Unable to execute HTTP request");
        assertThat(S3.faults().callCount(Operation.GET_OBJECT)).isEqualTo(gets);
        assertThat(control.count(FaultProxy.RESETS)).isEqualTo(resets + 1);
    }

    @Test
    void timeoutSwallowsTheRequestUntilTheClientsReadTimesOut() {
        put(noRetries, "timeout/key", "value");
        int gets = S3.faults().callCount(Operation.GET_OBJECT);
        control.set(Map.of(NetworkFaults.TIMEOUT, "1"));

        long start = System.nanoTime();
        assertThatThrownBy(() -> get(noRetries, "timeout/key"))
                .isInstanceOf(SdkClientException.class)
                .hasRootCauseInstanceOf(SocketTimeoutException.class);

        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .isGreaterThanOrEqualTo(SOCKET_TIMEOUT);
        assertThat(S3.faults().callCount(Operation.GET_OBJECT)).isEqualTo(gets);
    }

    @Test
    void unreachableResetsEveryConnectionUntilTurnedOff() {
        long refused = control.count(FaultProxy.REFUSED);
        control.unreachable(true);

        assertThatThrownBy(() -> put(noRetries, "down/key", "value"))
                .isInstanceOf(SdkClientException.class)
                .hasMessageContaining("Unable to execute HTTP request");
        assertThatThrownBy(() -> get(noRetries, "down/key")).isInstanceOf(SdkClientException.class);
        assertThat(control.count(FaultProxy.REFUSED)).isGreaterThanOrEqualTo(refused + 2);

        control.unreachable(false);
        put(noRetries, "down/key", "value");
        assertThat(get(noRetries, "down/key")).isEqualTo("value");
    }

    @Test
    void latencyDelaysEveryRequest() {
        put(noRetries, "latency/key", "value");
        control.latency(Duration.ofMillis(400));

        long start = System.nanoTime();
        assertThat(get(noRetries, "latency/key")).isEqualTo("value");

        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .isGreaterThanOrEqualTo(Duration.ofMillis(400));
        assertThat(control.faults().latency()).isEqualTo(Duration.ofMillis(400));
    }

    @Test
    void theSdkRetriesRandomFailuresAndTheSameSeedFailsTheSameRequests() {
        List<Long> first = putAndGetUnderFaults(42);
        List<Long> second = putAndGetUnderFaults(42);

        assertThat(first.get(0)).as("slow-downs and resets injected").isPositive();
        assertThat(second).isEqualTo(first);
    }

    /** 40 PUTs and GETs with 15% slow-downs and 15% resets; the faults injected, per kind. */
    private static List<Long> putAndGetUnderFaults(long seed) {
        long slowDowns = control.count(FaultProxy.SLOW_DOWNS);
        long resets = control.count(FaultProxy.RESETS);
        control.failRandomly(0.15, 0.15, 0, seed);
        for (int i = 0; i < 20; i++) {
            put(retries, "random/" + i, "value-" + i);
            assertThat(get(retries, "random/" + i)).isEqualTo("value-" + i);
        }
        control.clear();
        long slowDownsNow = control.count(FaultProxy.SLOW_DOWNS) - slowDowns;
        long resetsNow = control.count(FaultProxy.RESETS) - resets;
        return List.of(slowDownsNow + resetsNow, slowDownsNow, resetsNow);
    }

    @Test
    void controlChangesOnlyTheNamedSettingsAndClearResetsThemAll() {
        control.set(Map.of(NetworkFaults.RESET, "0.05", NetworkFaults.LATENCY_MILLIS, "20"));
        control.set(Map.of(NetworkFaults.TIMEOUT, "0.01"));

        assertThat(control.faults())
                .isEqualTo(new NetworkFaults(0, 0.05, 0.01, false, Duration.ofMillis(20)));
        assertThat(control.state()).containsKeys(FaultProxy.COUNTERS.toArray(String[]::new));

        control.clear();
        assertThat(control.faults()).isEqualTo(NetworkFaults.NONE);
    }

    @Test
    void controlRejectsBadInputNamingItAndChangesNothing() {
        control.set(Map.of(NetworkFaults.RESET, "0.1"));

        assertThatThrownBy(
                        () ->
                                control.set(
                                        Map.of(
                                                NetworkFaults.LATENCY_MILLIS,
                                                "5",
                                                NetworkFaults.TIMEOUT,
                                                "2")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "S3 fault control at "
                                + controlServer.url()
                                + " answered HTTP 400: Invalid timeout: 2 (must be a rate from 0"
                                + " to 1)");
        assertThatThrownBy(() -> control.set(Map.of("loss", "0.1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith(
                        "HTTP 400: Unknown fault setting: loss (known: [slow-down, reset,"
                                + " timeout, unreachable, latency-ms])");
        assertThatThrownBy(() -> control.set(Map.of(FaultControlServer.SEED, "x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("HTTP 400: Invalid seed: x (must be a long)");
        assertThat(control.faults()).isEqualTo(NetworkFaults.NONE.with(Map.of("reset", "0.1")));
    }

    private static void put(S3Client client, String key, String value) {
        client.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString(value));
    }

    private static String get(S3Client client, String key) {
        return client.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asUtf8String();
    }
}
