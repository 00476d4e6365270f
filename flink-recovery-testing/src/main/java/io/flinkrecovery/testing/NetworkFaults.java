package io.flinkrecovery.testing;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The faults a {@link FaultProxy} injects into the requests it forwards: the probability that a
 * request is answered with 503 SlowDown, has its connection reset, or is swallowed so that the
 * client's read times out; whether the server is unreachable (every connection reset); and a
 * latency added to every request. Immutable; {@link #with} returns a changed copy.
 */
public record NetworkFaults(
        double slowDownRate,
        double resetRate,
        double timeoutRate,
        boolean unreachable,
        Duration latency) {

    /** No faults at all. */
    public static final NetworkFaults NONE = new NetworkFaults(0, 0, 0, false, Duration.ZERO);

    public static final String SLOW_DOWN = "slow-down";
    public static final String RESET = "reset";
    public static final String TIMEOUT = "timeout";
    public static final String UNREACHABLE = "unreachable";
    public static final String LATENCY_MILLIS = "latency-ms";

    /** The keys {@link #with} accepts, in the order {@link #toMap} writes them. */
    public static final List<String> KEYS =
            List.of(SLOW_DOWN, RESET, TIMEOUT, UNREACHABLE, LATENCY_MILLIS);

    public NetworkFaults {
        Objects.requireNonNull(latency, "latency");
        checkRate(SLOW_DOWN, slowDownRate);
        checkRate(RESET, resetRate);
        checkRate(TIMEOUT, timeoutRate);
        if (slowDownRate + resetRate + timeoutRate > 1.0 + 1e-9) {
            throw new IllegalArgumentException(
                    "Invalid rates: "
                            + SLOW_DOWN
                            + " + "
                            + RESET
                            + " + "
                            + TIMEOUT
                            + " = "
                            + (slowDownRate + resetRate + timeoutRate)
                            + " (must be ≤ 1)");
        }
        if (latency.isNegative()) {
            throw new IllegalArgumentException(
                    "Invalid " + LATENCY_MILLIS + ": " + latency.toMillis() + " (must be ≥ 0)");
        }
    }

    /**
     * A copy with the given settings changed, such as {@code {"reset": "0.05", "unreachable":
     * "true"}}; keys it does not name keep their value.
     *
     * @throws IllegalArgumentException naming the key and value, for an unknown key or a bad value
     */
    public NetworkFaults with(Map<String, String> changes) {
        double slowDown = slowDownRate;
        double reset = resetRate;
        double timeout = timeoutRate;
        boolean down = unreachable;
        Duration delay = latency;
        for (Map.Entry<String, String> change : changes.entrySet()) {
            String key = change.getKey();
            String value = change.getValue().trim();
            switch (key) {
                case SLOW_DOWN:
                    slowDown = parseRate(key, value);
                    break;
                case RESET:
                    reset = parseRate(key, value);
                    break;
                case TIMEOUT:
                    timeout = parseRate(key, value);
                    break;
                case UNREACHABLE:
                    down = parseBoolean(key, value);
                    break;
                case LATENCY_MILLIS:
                    delay = Duration.ofMillis(parseMillis(key, value));
                    break;
                default:
                    throw new IllegalArgumentException(
                            "Unknown fault setting: " + key + " (known: " + KEYS + ")");
            }
        }
        return new NetworkFaults(slowDown, reset, timeout, down, delay);
    }

    /** The settings as the keys of {@link #with}, in the order of {@link #KEYS}. */
    public Map<String, String> toMap() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put(SLOW_DOWN, format(slowDownRate));
        map.put(RESET, format(resetRate));
        map.put(TIMEOUT, format(timeoutRate));
        map.put(UNREACHABLE, String.valueOf(unreachable));
        map.put(LATENCY_MILLIS, String.valueOf(latency.toMillis()));
        return map;
    }

    /** Whether every request passes as it came. */
    public boolean isNone() {
        return equals(NONE);
    }

    private static String format(double rate) {
        return String.format(Locale.ROOT, "%s", rate);
    }

    private static void checkRate(String key, double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException(
                    "Invalid " + key + ": " + rate + " (must be a rate from 0 to 1)");
        }
    }

    private static double parseRate(String key, String value) {
        double rate;
        try {
            rate = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "Invalid " + key + ": " + value + " (must be a rate from 0 to 1)", e);
        }
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException(
                    "Invalid " + key + ": " + value + " (must be a rate from 0 to 1)");
        }
        return rate;
    }

    private static boolean parseBoolean(String key, String value) {
        if (value.equals("true") || value.equals("false")) {
            return Boolean.parseBoolean(value);
        }
        throw new IllegalArgumentException(
                "Invalid " + key + ": " + value + " (must be true or false)");
    }

    private static long parseMillis(String key, String value) {
        try {
            long millis = Long.parseLong(value);
            if (millis >= 0) {
                return millis;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(
                "Invalid " + key + ": " + value + " (must be milliseconds ≥ 0)");
    }
}
