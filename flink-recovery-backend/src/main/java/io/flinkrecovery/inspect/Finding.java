package io.flinkrecovery.inspect;

import javax.annotation.Nullable;

import java.util.Objects;

/**
 * One problem the inspector found, with where it is: the operator (uid or name), the subtask and
 * the object, when they apply.
 */
public final class Finding {

    /** What is wrong. */
    public enum Kind {
        MISSING_METADATA,
        UNREADABLE_METADATA,
        MISSING_OBJECT,
        SIZE_MISMATCH,
        /**
         * A block of an incremental heap segment whose CRC32C differs from its manifest's, or a
         * RocksDB SST file whose block checksums fail.
         */
        CHECKSUM_MISMATCH,
        UNREADABLE_OBJECT,
        KEY_GROUP_GAP,
        KEY_GROUP_OVERLAP,
        /** A handle the inspector cannot check (not on S3, or an unknown type): not an error. */
        UNKNOWN_HANDLE,
        /**
         * Objects deep mode read in full but could not verify (RocksDB's SST files without the
         * RocksDB classes on the class path): not an error.
         */
        NOT_VERIFIED,
        ORPHAN;

        /** Whether this finding means the checkpoint will not restore. */
        public boolean isError() {
            return this != UNKNOWN_HANDLE && this != NOT_VERIFIED && this != ORPHAN;
        }
    }

    private final Kind kind;
    @Nullable private final String operator;
    private final int subtask;
    @Nullable private final String object;
    private final String message;

    Finding(
            Kind kind,
            @Nullable String operator,
            int subtask,
            @Nullable String object,
            String message) {
        this.kind = kind;
        this.operator = operator;
        this.subtask = subtask;
        this.object = object;
        this.message = message;
    }

    static Finding of(Kind kind, String object, String message) {
        return new Finding(kind, null, -1, object, message);
    }

    static Finding at(HandleOwner owner, Kind kind, @Nullable String object, String message) {
        return new Finding(kind, owner.operator(), owner.subtask(), object, message);
    }

    public Kind kind() {
        return kind;
    }

    /** The operator's uid, or its name, or its id; null for findings about the checkpoint. */
    @Nullable
    public String operator() {
        return operator;
    }

    /** The subtask index, or -1. */
    public int subtask() {
        return subtask;
    }

    /** The object concerned ({@code s3://…}), or null. */
    @Nullable
    public String object() {
        return object;
    }

    public String message() {
        return message;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Finding)) {
            return false;
        }
        Finding that = (Finding) o;
        return kind == that.kind
                && subtask == that.subtask
                && Objects.equals(operator, that.operator)
                && Objects.equals(object, that.object)
                && message.equals(that.message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, operator, subtask, object, message);
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(kind.name());
        if (operator != null) {
            out.append(" operator ").append(operator);
        }
        if (subtask >= 0) {
            out.append(" subtask ").append(subtask);
        }
        return out.append(": ").append(message).toString();
    }
}
