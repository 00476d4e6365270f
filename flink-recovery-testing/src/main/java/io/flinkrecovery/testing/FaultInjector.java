package io.flinkrecovery.testing;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Server-side fault injection for an {@link EmbeddedS3Server}: chosen store operations fail with
 * the error S3 itself would send, so the real S3 client sees a real HTTP error response and runs
 * its real retry logic. All methods are thread-safe.
 */
public final class FaultInjector {

    /** The S3 operations that can be failed, as the server's blob store sees them. */
    public enum Operation {
        /** PutObject (and POST Object); not the bookkeeping write of CreateMultipartUpload. */
        PUT_OBJECT,
        /** UploadPart; the key is the object key of the upload. */
        UPLOAD_PART,
        /** CompleteMultipartUpload; the key is the object key of the upload. */
        COMPLETE_MULTIPART,
        /** GetObject, ranged or not. */
        GET_OBJECT,
        /** HeadObject. */
        HEAD_OBJECT,
        /** ListObjects and ListObjectsV2; the key is the listing's prefix. */
        LIST,
        /** DeleteObject, and DeleteObjects as one call that matches if any of its keys match. */
        DELETE
    }

    /** The error an injected fault answers with. */
    public enum Fault {
        /** HTTP 503 with S3 error code {@code SlowDown}, which clients treat as throttling. */
        SLOW_DOWN(503, "SlowDown", "Please reduce your request rate."),
        /** HTTP 500 with S3 error code {@code InternalError}. */
        INTERNAL_ERROR(500, "InternalError", "We encountered an internal error. Please try again.");

        private final int statusCode;
        private final String errorCode;
        private final String message;

        Fault(int statusCode, String errorCode, String message) {
            this.statusCode = statusCode;
            this.errorCode = errorCode;
            this.message = message;
        }

        /** The HTTP status code of the response. */
        public int statusCode() {
            return statusCode;
        }

        /** The S3 error code in the response body. */
        public String errorCode() {
            return errorCode;
        }
    }

    /** Rules per operation, tried in the order they were added. Guarded by {@code this}. */
    private final Map<Operation, List<Rule>> rules = new EnumMap<>(Operation.class);

    /** Calls seen per operation, failed or not. Guarded by {@code this}. */
    private final Map<Operation, Integer> calls = new EnumMap<>(Operation.class);

    /** Guarded by {@code this}. */
    private int injected;

    /** Added to every call before it runs; 0 by default. */
    private volatile long latencyNanos;

    FaultInjector() {}

    /** Fails the next {@code count} calls of {@code op}, whatever their key. */
    public synchronized void failNext(Operation op, int count, Fault fault) {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(fault, "fault");
        if (count < 1) {
            throw new IllegalArgumentException(
                    "Invalid count for failNext(" + op + "): " + count + " (must be ≥ 1)");
        }
        addRule(op, new Rule(fault, null, count));
    }

    /** Fails every call of {@code op} until {@link #clear()}. */
    public synchronized void failAll(Operation op, Fault fault) {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(fault, "fault");
        addRule(op, new Rule(fault, null, Rule.UNLIMITED));
    }

    /**
     * Fails every call of {@code op} on a key that contains {@code keyFragment}, until {@link
     * #clear()}.
     */
    public synchronized void failWhenKeyContains(Operation op, String keyFragment, Fault fault) {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(keyFragment, "keyFragment");
        Objects.requireNonNull(fault, "fault");
        addRule(op, new Rule(fault, keyFragment, Rule.UNLIMITED));
    }

    /**
     * Delays every call by {@code latency} before it runs, as a remote store's round trip would
     * (loopback answers small requests in a millisecond, S3 in tens). {@link Duration#ZERO} turns
     * it off; {@link #clear()} and {@link #reset()} leave it.
     */
    public void setLatency(Duration latency) {
        Objects.requireNonNull(latency, "latency");
        if (latency.isNegative()) {
            throw new IllegalArgumentException("Invalid latency " + latency + " (must be ≥ 0)");
        }
        latencyNanos = latency.toNanos();
    }

    /** Removes every fault; the counters keep counting (see {@link #reset()}). */
    public synchronized void clear() {
        rules.clear();
    }

    /** Removes every fault and sets the counters back to zero. */
    public synchronized void reset() {
        rules.clear();
        calls.clear();
        injected = 0;
    }

    /** The number of faults injected since the server started or the last {@link #reset()}. */
    public synchronized int injectedCount() {
        return injected;
    }

    /**
     * The number of calls of {@code op} seen, failed or not, since the server started or the last
     * {@link #reset()}. A call the client retried counts once per attempt.
     */
    public synchronized int callCount(Operation op) {
        Objects.requireNonNull(op, "op");
        return calls.getOrDefault(op, 0);
    }

    /** Records a call of {@code op} on one key, and throws the S3 error if a fault applies. */
    void onCall(Operation op, String bucket, String key) {
        onCall(op, bucket, List.of(key));
    }

    /**
     * Records one call of {@code op} on the given keys, and throws the S3 error if a fault applies
     * to any of them.
     */
    void onCall(Operation op, String bucket, Collection<String> keys) {
        long latency = latencyNanos;
        if (latency > 0) {
            try {
                Thread.sleep(latency / 1_000_000, (int) (latency % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        record(op, bucket, keys);
    }

    private synchronized void record(Operation op, String bucket, Collection<String> keys) {
        calls.merge(op, 1, Integer::sum);
        List<Rule> opRules = rules.get(op);
        if (opRules == null) {
            return;
        }
        for (Iterator<Rule> it = opRules.iterator(); it.hasNext(); ) {
            Rule rule = it.next();
            String key = rule.match(keys);
            if (key == null) {
                continue;
            }
            if (rule.remaining != Rule.UNLIMITED && --rule.remaining == 0) {
                it.remove();
            }
            injected++;
            throw toException(rule.fault, op, bucket, key);
        }
    }

    private void addRule(Operation op, Rule rule) {
        rules.computeIfAbsent(op, unused -> new ArrayList<>()).add(rule);
    }

    private static S3Exception toException(Fault fault, Operation op, String bucket, String key) {
        String message =
                fault.message + " (injected on " + op + " s3://" + bucket + "/" + key + ")";
        return (S3Exception)
                S3Exception.builder()
                        .statusCode(fault.statusCode)
                        .message(message)
                        .awsErrorDetails(
                                AwsErrorDetails.builder()
                                        .serviceName("S3")
                                        .errorCode(fault.errorCode)
                                        .errorMessage(message)
                                        .build())
                        .build();
    }

    /** One registered fault. */
    private static final class Rule {
        static final int UNLIMITED = -1;

        final Fault fault;
        final String keyFragment; // null matches every key
        int remaining;

        Rule(Fault fault, String keyFragment, int remaining) {
            this.fault = fault;
            this.keyFragment = keyFragment;
            this.remaining = remaining;
        }

        /** The first key this rule fails, or null. A keyless rule fails even a keyless call. */
        String match(Collection<String> keys) {
            if (keyFragment == null) {
                return keys.isEmpty() ? "" : keys.iterator().next();
            }
            for (String key : keys) {
                if (key.contains(keyFragment)) {
                    return key;
                }
            }
            return null;
        }
    }
}
