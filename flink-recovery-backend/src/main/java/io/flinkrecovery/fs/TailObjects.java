package io.flinkrecovery.fs;

import io.flinkrecovery.objectstore.ObjectLocation;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Names of the tail objects of the recoverable writer: the bytes of an in-progress file after its
 * last uploaded part, written at a checkpoint as {@code .<name>.tail.<uuid>} beside the file. The
 * leading dot hides them from Flink's file source, Hive and Spark; the inspector finds those that
 * failed checkpoints left behind by this name.
 */
public final class TailObjects {

    private static final Pattern TAIL = Pattern.compile("\\..+\\.tail\\.[0-9a-f-]{36}");

    private TailObjects() {}

    /** A new tail object for {@code file}; never the name of an earlier one. */
    static ObjectLocation newTail(ObjectLocation file) {
        return file.parent().child("." + file.name() + ".tail." + UUID.randomUUID());
    }

    /** Whether {@code location} is named like a tail object. */
    public static boolean isTail(ObjectLocation location) {
        return TAIL.matcher(location.name()).matches();
    }
}
