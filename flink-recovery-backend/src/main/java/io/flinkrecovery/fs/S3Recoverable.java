package io.flinkrecovery.fs;

import org.apache.flink.core.fs.RecoverableWriter;

import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.UploadedPart;

import javax.annotation.Nullable;

import java.util.List;
import java.util.Objects;

/**
 * What a checkpoint keeps of a file that {@link S3RecoverableWriter} writes: the multipart upload
 * (object, upload id, the id the object is tagged with), the parts uploaded so far with their ETags
 * and sizes, and the bytes after the last part, which are below S3's part minimum and therefore
 * kept as an object of their own (the tail). A recoverable for commit has no tail.
 */
final class S3Recoverable
        implements RecoverableWriter.ResumeRecoverable, RecoverableWriter.CommitRecoverable {

    private final ObjectLocation location;
    private final String uploadId;
    private final String writeId;
    private final List<UploadedPart> parts;
    @Nullable private final ObjectLocation tail;
    private final long tailLength;

    S3Recoverable(
            ObjectLocation location,
            String uploadId,
            String writeId,
            List<UploadedPart> parts,
            @Nullable ObjectLocation tail,
            long tailLength) {
        this.location = Objects.requireNonNull(location, "location");
        this.uploadId = Objects.requireNonNull(uploadId, "uploadId");
        this.writeId = Objects.requireNonNull(writeId, "writeId");
        this.parts = List.copyOf(parts);
        if ((tail == null) != (tailLength == 0) || tailLength < 0) {
            throw new IllegalArgumentException(
                    "Invalid tail of " + location + ": " + tail + " with " + tailLength + " bytes");
        }
        this.tail = tail;
        this.tailLength = tailLength;
        for (int i = 0; i < this.parts.size(); i++) {
            if (this.parts.get(i).number() != i + 1) {
                throw new IllegalArgumentException(
                        "Invalid parts of " + location + ": " + this.parts + " (must be 1 to n)");
            }
        }
    }

    /** The object that the upload creates. */
    ObjectLocation location() {
        return location;
    }

    String uploadId() {
        return uploadId;
    }

    /** The id the object carries once the upload completed; tells our object from another. */
    String writeId() {
        return writeId;
    }

    /** The uploaded parts, numbered from 1 without gaps. */
    List<UploadedPart> parts() {
        return parts;
    }

    long partsLength() {
        long length = 0;
        for (UploadedPart part : parts) {
            length += part.size();
        }
        return length;
    }

    /** The object holding the bytes after the last part, or null if there are none. */
    @Nullable
    ObjectLocation tail() {
        return tail;
    }

    long tailLength() {
        return tailLength;
    }

    /** The length of the file at this point. */
    long length() {
        return partsLength() + tailLength;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof S3Recoverable)) {
            return false;
        }
        S3Recoverable that = (S3Recoverable) o;
        return tailLength == that.tailLength
                && location.equals(that.location)
                && uploadId.equals(that.uploadId)
                && writeId.equals(that.writeId)
                && parts.equals(that.parts)
                && Objects.equals(tail, that.tail);
    }

    @Override
    public int hashCode() {
        return Objects.hash(location, uploadId, writeId, parts, tail, tailLength);
    }

    @Override
    public String toString() {
        return "S3Recoverable{"
                + location
                + ", upload "
                + uploadId
                + ", "
                + parts.size()
                + " parts ("
                + partsLength()
                + " bytes)"
                + (tail == null ? "" : ", tail " + tail + " (" + tailLength + " bytes)")
                + "}";
    }
}
