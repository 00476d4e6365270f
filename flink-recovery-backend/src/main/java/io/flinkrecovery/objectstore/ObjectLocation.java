package io.flinkrecovery.objectstore;

import java.io.Serializable;
import java.net.URI;
import java.util.Objects;

/** The address of one object, or of a key prefix, in a bucket: {@code s3://bucket/key}. */
public final class ObjectLocation implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String SCHEME = "s3";

    private final String bucket;
    private final String key;

    private ObjectLocation(String bucket, String key) {
        this.bucket = bucket;
        this.key = key;
    }

    public static ObjectLocation of(String bucket, String key) {
        if (bucket == null || bucket.length() < 3) {
            throw new IllegalArgumentException(
                    "Invalid bucket name '"
                            + bucket
                            + "': S3 bucket names have 3 to 63 characters");
        }
        return new ObjectLocation(bucket, stripLeadingSlashes(key == null ? "" : key));
    }

    /** Parses {@code s3://bucket/key}; the key may be empty (the bucket's root). */
    public static ObjectLocation parse(String uri) {
        return parse(URI.create(uri));
    }

    public static ObjectLocation parse(URI uri) {
        if (!SCHEME.equalsIgnoreCase(uri.getScheme()) || uri.getAuthority() == null) {
            throw new IllegalArgumentException(
                    "Invalid S3 location '" + uri + "': expected s3://<bucket>/<key>");
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        return of(uri.getAuthority(), path);
    }

    public String bucket() {
        return bucket;
    }

    public String key() {
        return key;
    }

    /** The location of {@code name} below this one, as if this location were a directory. */
    public ObjectLocation child(String name) {
        return new ObjectLocation(bucket, asDirectoryKey() + stripLeadingSlashes(name));
    }

    /** This key with exactly one trailing slash, or the empty key for the bucket's root. */
    public String asDirectoryKey() {
        if (key.isEmpty() || key.endsWith("/")) {
            return key;
        }
        return key + "/";
    }

    /** This location without a trailing slash. */
    public ObjectLocation withoutTrailingSlash() {
        return key.endsWith("/")
                ? new ObjectLocation(bucket, key.substring(0, key.length() - 1))
                : this;
    }

    /** The directory that holds this object or directory, without a trailing slash. */
    public ObjectLocation parent() {
        String trimmed = withoutTrailingSlash().key;
        return new ObjectLocation(
                bucket, trimmed.substring(0, Math.max(0, trimmed.lastIndexOf('/'))));
    }

    /** The last segment of the key. */
    public String name() {
        String trimmed = key.endsWith("/") ? key.substring(0, key.length() - 1) : key;
        return trimmed.substring(trimmed.lastIndexOf('/') + 1);
    }

    public URI toUri() {
        return URI.create(toString());
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ObjectLocation)) {
            return false;
        }
        ObjectLocation that = (ObjectLocation) o;
        return bucket.equals(that.bucket) && key.equals(that.key);
    }

    @Override
    public int hashCode() {
        return Objects.hash(bucket, key);
    }

    @Override
    public String toString() {
        return SCHEME + "://" + bucket + "/" + key;
    }

    private static String stripLeadingSlashes(String key) {
        int start = 0;
        while (start < key.length() && key.charAt(start) == '/') {
            start++;
        }
        return key.substring(start);
    }
}
