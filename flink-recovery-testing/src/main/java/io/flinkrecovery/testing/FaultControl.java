package io.flinkrecovery.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The client of a {@link FaultControlServer}: sets the faults of an S3 server that runs in another
 * process ({@link S3ServerMain}) and reads its counters. Every call is one HTTP request that fails
 * with an exception naming the URL if the server refuses it.
 */
public final class FaultControl {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final String url;
    private final HttpClient http;

    private FaultControl(String url) {
        this.url = url;
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    }

    /** The control at {@code url}, such as {@code http://127.0.0.1:43122/faults}. */
    public static FaultControl at(String url) {
        return new FaultControl(Objects.requireNonNull(url, "url"));
    }

    /** Changes the named settings ({@link NetworkFaults#KEYS}); returns the new state. */
    public Map<String, String> set(Map<String, String> changes) {
        String query =
                changes.entrySet().stream()
                        .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                        .collect(Collectors.joining("&"));
        return send(
                HttpRequest.newBuilder(URI.create(url + (query.isEmpty() ? "" : "?" + query)))
                        .POST(HttpRequest.BodyPublishers.noBody()));
    }

    /** Fails each request with the given probabilities, chosen by a generator seeded with seed. */
    public void failRandomly(double slowDown, double reset, double timeout, long seed) {
        Map<String, String> changes = new LinkedHashMap<>();
        changes.put(NetworkFaults.SLOW_DOWN, String.valueOf(slowDown));
        changes.put(NetworkFaults.RESET, String.valueOf(reset));
        changes.put(NetworkFaults.TIMEOUT, String.valueOf(timeout));
        changes.put(FaultControlServer.SEED, String.valueOf(seed));
        set(changes);
    }

    /** Resets every connection from now on, or again forwards them. */
    public void unreachable(boolean unreachable) {
        set(Map.of(NetworkFaults.UNREACHABLE, String.valueOf(unreachable)));
    }

    /** Delays every request by {@code latency}; {@link Duration#ZERO} turns it off. */
    public void latency(Duration latency) {
        set(Map.of(NetworkFaults.LATENCY_MILLIS, String.valueOf(latency.toMillis())));
    }

    /** Sets every fault back to none. */
    public void clear() {
        set(Map.of(FaultControlServer.CLEAR, "true"));
    }

    /** The settings in force. */
    public NetworkFaults faults() {
        Map<String, String> state = state();
        Map<String, String> settings = new LinkedHashMap<>();
        NetworkFaults.KEYS.forEach(key -> settings.put(key, state.get(key)));
        return NetworkFaults.NONE.with(settings);
    }

    /** A counter of {@link FaultProxy#COUNTERS}, such as the number of requests reset. */
    public long count(String counter) {
        String value = state().get(counter);
        if (value == null) {
            throw new IllegalArgumentException("Unknown counter: " + counter);
        }
        return Long.parseLong(value);
    }

    /** Settings and counters, as the server lists them. */
    public Map<String, String> state() {
        return send(HttpRequest.newBuilder(URI.create(url)).GET());
    }

    private Map<String, String> send(HttpRequest.Builder request) {
        HttpResponse<String> response;
        try {
            response =
                    http.send(
                            request.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot reach the S3 fault control at " + url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted calling " + url, e);
        }
        if (response.statusCode() != 200) {
            throw new IllegalArgumentException(
                    "S3 fault control at "
                            + url
                            + " answered HTTP "
                            + response.statusCode()
                            + ": "
                            + response.body().trim());
        }
        Map<String, String> state = new LinkedHashMap<>();
        for (String line : response.body().split("\n")) {
            int equals = line.indexOf('=');
            if (equals > 0) {
                state.put(line.substring(0, equals), line.substring(equals + 1));
            }
        }
        return state;
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "FaultControl{" + url + "}";
    }
}
