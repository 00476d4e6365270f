package io.flinkrecovery.testing;

import io.flinkrecovery.testing.RecordedRequest.Kind;

import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How many requests of each {@link Kind} a server received, and the object bytes they uploaded,
 * counted on the server side: it sees the requests of any client, also of file systems whose own
 * counters we cannot read (such as Flink's {@code flink-s3-fs-*} plugins).
 */
public final class RequestCounts {

    private final Map<Kind, Long> counts;
    private final long payloadBytes;
    private final long failed;

    private RequestCounts(Map<Kind, Long> counts, long payloadBytes, long failed) {
        this.counts = counts;
        this.payloadBytes = payloadBytes;
        this.failed = failed;
    }

    /** The counts of {@code requests}, such as {@link RequestRecorder#requests()}. */
    public static RequestCounts of(Collection<RecordedRequest> requests) {
        Map<Kind, Long> counts = new EnumMap<>(Kind.class);
        long payloadBytes = 0;
        long failed = 0;
        for (RecordedRequest request : requests) {
            counts.merge(request.kind(), 1L, Long::sum);
            payloadBytes += request.payloadBytes();
            if (request.status() >= 400) {
                failed++;
            }
        }
        return new RequestCounts(counts, payloadBytes, failed);
    }

    /** The requests of {@code kind}, whatever their answer. */
    public long count(Kind kind) {
        return counts.getOrDefault(kind, 0L);
    }

    public long total() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * The object bytes that PutObject and UploadPart requests carried ({@link
     * RecordedRequest#payloadBytes()}).
     */
    public long payloadBytes() {
        return payloadBytes;
    }

    /** The requests answered with a status of 400 or above, such as a HEAD of a missing object. */
    public long failed() {
        return failed;
    }

    /**
     * The counts by kind, without the kinds that were never sent, such as {@code PUT_OBJECT=3
     * LIST=1}.
     */
    @Override
    public String toString() {
        return counts.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining(" "))
                + ", "
                + payloadBytes
                + " bytes uploaded, "
                + failed
                + " failed";
    }
}
