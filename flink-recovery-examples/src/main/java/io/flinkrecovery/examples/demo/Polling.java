package io.flinkrecovery.examples.demo;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;

/** Waits for a condition with a deadline, polling it at a fixed interval. */
final class Polling {

    private static final Duration INTERVAL = Duration.ofMillis(100);

    private Polling() {}

    /**
     * Calls {@code probe} until it returns a value, and returns that value.
     *
     * @throws TimeoutException naming {@code what} once {@code timeout} has passed
     */
    static <T> T await(String what, Duration timeout, Callable<Optional<T>> probe)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<T> result = probe.call();
            if (result.isPresent()) {
                return result.get();
            }
            if (System.nanoTime() - deadline > 0) {
                throw new TimeoutException(
                        "Timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(INTERVAL.toMillis());
        }
    }
}
