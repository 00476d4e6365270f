package io.flinkrecovery.testing;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One HTTP request as the {@link EmbeddedS3Server} received it, before S3Proxy handled it: method,
 * path, query and every header, plus the status S3Proxy answered with. Assumes path-style
 * addressing ({@code /bucket/key}), which {@link EmbeddedS3Server#flinkConfig()} sets.
 */
public final class RecordedRequest {

    /** What an S3 request does, told apart by method, query and headers as S3 does. */
    public enum Kind {
        /** PUT of an object's bytes. */
        PUT_OBJECT,
        /** PUT with {@code x-amz-copy-source}: CopyObject. */
        COPY_OBJECT,
        /** POST {@code ?uploads}: CreateMultipartUpload. */
        CREATE_MULTIPART,
        /** PUT {@code ?partNumber&uploadId}: UploadPart (and UploadPartCopy). */
        UPLOAD_PART,
        /** POST {@code ?uploadId}: CompleteMultipartUpload. */
        COMPLETE_MULTIPART,
        /** DELETE {@code ?uploadId}: AbortMultipartUpload. */
        ABORT_MULTIPART,
        /** GET of an object, ranged or not. */
        GET_OBJECT,
        /** HEAD of an object. */
        HEAD_OBJECT,
        /** GET of a bucket: ListObjects(V2), ListMultipartUploads, ListObjectVersions. */
        LIST,
        /** DELETE of an object, or POST {@code ?delete}: DeleteObjects. */
        DELETE,
        /** Anything else: bucket-level calls such as HeadBucket or GetBucketLocation. */
        OTHER
    }

    /** Query parameters that only a listing of a bucket has. */
    private static final Set<String> LIST_PARAMETERS =
            Set.of(
                    "list-type",
                    "prefix",
                    "delimiter",
                    "marker",
                    "max-keys",
                    "continuation-token",
                    "start-after",
                    "encoding-type",
                    "uploads",
                    "versions");

    private final String method;
    private final String path;
    private final String query;
    private final boolean secure;
    private final Map<String, List<String>> headers;
    private final int status;

    RecordedRequest(
            String method,
            String path,
            String query,
            boolean secure,
            Map<String, List<String>> headers,
            int status) {
        this.method = method;
        this.path = path;
        this.query = query == null ? "" : query;
        this.secure = secure;
        Map<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((name, values) -> copy.put(name, List.copyOf(values)));
        this.headers = Collections.unmodifiableMap(copy);
        this.status = status;
    }

    public String method() {
        return method;
    }

    /** The raw request path, such as {@code /bucket/some/key}. */
    public String path() {
        return path;
    }

    /** The raw query string, or "" if there is none. */
    public String query() {
        return query;
    }

    /** Whether the request came over TLS. */
    public boolean secure() {
        return secure;
    }

    /** Every header by name; names compare without case. */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /** The first value of the header {@code name} (any case), if the request had it. */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** The HTTP status S3Proxy answered with. */
    public int status() {
        return status;
    }

    /** The bucket, or "" for the service root. */
    public String bucket() {
        String[] parts = pathParts();
        return parts.length > 0 ? parts[0] : "";
    }

    /** The decoded object key, or "" for a bucket-level request. */
    public String key() {
        String[] parts = pathParts();
        return parts.length > 1 ? parts[1] : "";
    }

    public Kind kind() {
        Set<String> params = queryParameterNames();
        boolean hasKey = !key().isEmpty();
        switch (method) {
            case "PUT":
                if (params.contains("uploadId") && params.contains("partNumber")) {
                    return Kind.UPLOAD_PART;
                }
                if (!hasKey || !params.isEmpty()) {
                    return Kind.OTHER;
                }
                return header("x-amz-copy-source").isPresent() ? Kind.COPY_OBJECT : Kind.PUT_OBJECT;
            case "POST":
                if (params.contains("uploads")) {
                    return Kind.CREATE_MULTIPART;
                }
                if (params.contains("uploadId")) {
                    return Kind.COMPLETE_MULTIPART;
                }
                return params.contains("delete") ? Kind.DELETE : Kind.OTHER;
            case "DELETE":
                if (params.contains("uploadId")) {
                    return Kind.ABORT_MULTIPART;
                }
                return hasKey ? Kind.DELETE : Kind.OTHER;
            case "GET":
                if (hasKey) {
                    return Kind.GET_OBJECT;
                }
                if (bucket().isEmpty()) {
                    return Kind.OTHER;
                }
                // A bucket's sub-resources (?location, ?versioning, ?acl...) are not listings.
                return params.isEmpty() || !Collections.disjoint(params, LIST_PARAMETERS)
                        ? Kind.LIST
                        : Kind.OTHER;
            case "HEAD":
                return hasKey ? Kind.HEAD_OBJECT : Kind.OTHER;
            default:
                return Kind.OTHER;
        }
    }

    /**
     * The bytes of object data the request uploaded: the body of a PutObject or UploadPart, without
     * the chunk signatures of an {@code aws-chunked} body ({@code x-amz-decoded-content-length}); 0
     * for every other kind, whose bodies (if any) are XML.
     */
    public long payloadBytes() {
        Kind kind = kind();
        if (kind != Kind.PUT_OBJECT && kind != Kind.UPLOAD_PART) {
            return 0;
        }
        Optional<String> length =
                header("x-amz-decoded-content-length").or(() -> header("Content-Length"));
        try {
            return length.map(Long::parseLong).orElse(0L);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private Set<String> queryParameterNames() {
        if (query.isEmpty()) {
            return Set.of();
        }
        return Arrays.stream(query.split("&"))
                .map(p -> p.contains("=") ? p.substring(0, p.indexOf('=')) : p)
                .map(p -> URLDecoder.decode(p, StandardCharsets.UTF_8))
                .collect(Collectors.toSet());
    }

    /** {bucket} or {bucket, key}. */
    private String[] pathParts() {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        if (trimmed.isEmpty()) {
            return new String[0];
        }
        int slash = trimmed.indexOf('/');
        List<String> parts = new ArrayList<>(2);
        if (slash < 0) {
            parts.add(decode(trimmed));
        } else {
            parts.add(decode(trimmed.substring(0, slash)));
            String key = trimmed.substring(slash + 1);
            if (!key.isEmpty()) {
                parts.add(decode(key));
            }
        }
        return parts.toArray(new String[0]);
    }

    /** Percent-decoding only: in a path, '+' is a plus sign. */
    private static String decode(String raw) {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The request line, status and headers, for assertion messages. */
    @Override
    public String toString() {
        return method
                + " "
                + path
                + (query.isEmpty() ? "" : "?" + query)
                + " -> "
                + status
                + " "
                + headers;
    }
}
