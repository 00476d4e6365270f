package io.flinkrecovery.objectstore;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the requests an object store sends, per {@link RequestKind}, plus the payload bytes sent
 * and received, the responses that asked us to slow down and the attempts that were retries.
 * Thread-safe; read it at any time.
 */
public final class RequestCounters {

    private final Map<RequestKind, LongAdder> requests = new EnumMap<>(RequestKind.class);
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder throttled = new LongAdder();
    private final LongAdder retried = new LongAdder();

    public RequestCounters() {
        for (RequestKind kind : RequestKind.values()) {
            requests.put(kind, new LongAdder());
        }
    }

    public void countRequest(RequestKind kind) {
        requests.get(kind).increment();
    }

    public void countBytesIn(long bytes) {
        bytesIn.add(bytes);
    }

    public void countBytesOut(long bytes) {
        bytesOut.add(bytes);
    }

    public void countThrottled() {
        throttled.increment();
    }

    /** Counts an attempt that repeats a request whose earlier attempt failed. */
    public void countRetried() {
        retried.increment();
    }

    public long requests(RequestKind kind) {
        return requests.get(kind).sum();
    }

    public long totalRequests() {
        long total = 0;
        for (LongAdder adder : requests.values()) {
            total += adder.sum();
        }
        return total;
    }

    public long bytesIn() {
        return bytesIn.sum();
    }

    public long bytesOut() {
        return bytesOut.sum();
    }

    public long throttled() {
        return throttled.sum();
    }

    /** Attempts that were retries; they are also in {@link #requests}. */
    public long retried() {
        return retried.sum();
    }

    /** A consistent-enough copy for reports and deltas. */
    public Snapshot snapshot() {
        Map<RequestKind, Long> copy = new EnumMap<>(RequestKind.class);
        requests.forEach((kind, adder) -> copy.put(kind, adder.sum()));
        return new Snapshot(copy, bytesIn(), bytesOut(), throttled(), retried());
    }

    /** Counter values at one moment. */
    public static final class Snapshot {
        private final Map<RequestKind, Long> requests;
        private final long bytesIn;
        private final long bytesOut;
        private final long throttled;
        private final long retried;

        Snapshot(
                Map<RequestKind, Long> requests,
                long bytesIn,
                long bytesOut,
                long throttled,
                long retried) {
            this.requests = requests;
            this.bytesIn = bytesIn;
            this.bytesOut = bytesOut;
            this.throttled = throttled;
            this.retried = retried;
        }

        public long requests(RequestKind kind) {
            return requests.get(kind);
        }

        public long bytesIn() {
            return bytesIn;
        }

        public long bytesOut() {
            return bytesOut;
        }

        public long throttled() {
            return throttled;
        }

        public long retried() {
            return retried;
        }

        /** The counts between {@code earlier} and this snapshot. */
        public Snapshot minus(Snapshot earlier) {
            Map<RequestKind, Long> diff = new EnumMap<>(RequestKind.class);
            requests.forEach((kind, count) -> diff.put(kind, count - earlier.requests(kind)));
            return new Snapshot(
                    diff,
                    bytesIn - earlier.bytesIn,
                    bytesOut - earlier.bytesOut,
                    throttled - earlier.throttled,
                    retried - earlier.retried);
        }

        @Override
        public String toString() {
            StringBuilder out = new StringBuilder();
            requests.forEach(
                    (kind, count) -> {
                        if (count > 0) {
                            out.append(kind).append('=').append(count).append(' ');
                        }
                    });
            return out.append("bytesOut=")
                    .append(bytesOut)
                    .append(" bytesIn=")
                    .append(bytesIn)
                    .append(" throttled=")
                    .append(throttled)
                    .append(" retried=")
                    .append(retried)
                    .toString();
        }
    }
}
