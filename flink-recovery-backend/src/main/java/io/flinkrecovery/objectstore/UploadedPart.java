package io.flinkrecovery.objectstore;

import java.util.Objects;

/** One uploaded part of a multipart upload: its number, the ETag S3 returned, and its size. */
public final class UploadedPart {

    private final int number;
    private final String etag;
    private final long size;

    public UploadedPart(int number, String etag, long size) {
        if (number < 1 || number > ObjectStore.MAX_PARTS) {
            throw new IllegalArgumentException(
                    "Invalid part number "
                            + number
                            + " (must be 1 to "
                            + ObjectStore.MAX_PARTS
                            + ")");
        }
        if (size < 0) {
            throw new IllegalArgumentException("Invalid size of part " + number + ": " + size);
        }
        this.number = number;
        this.etag = Objects.requireNonNull(etag, "etag");
        this.size = size;
    }

    public int number() {
        return number;
    }

    public String etag() {
        return etag;
    }

    public long size() {
        return size;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof UploadedPart)) {
            return false;
        }
        UploadedPart that = (UploadedPart) o;
        return number == that.number && size == that.size && etag.equals(that.etag);
    }

    @Override
    public int hashCode() {
        return Objects.hash(number, etag, size);
    }

    @Override
    public String toString() {
        return "part " + number + " (" + size + " bytes, ETag " + etag + ")";
    }
}
