package io.flinkrecovery.inspect;

import org.apache.flink.runtime.checkpoint.metadata.MetadataSerializers;
import org.apache.flink.runtime.util.EnvironmentInformation;

/**
 * The format version in a {@code _metadata} header, and which Flink line writes it: Flink 1.20
 * writes version 4 and reads up to 4; Flink 2.x writes 5 or later (2.3: 6) and reads 3 and later.
 */
public final class MetadataVersion {

    /** The first version of the Flink 2.x line. */
    private static final int FIRST_OF_FLINK_2 = 5;

    private final int version;

    MetadataVersion(int version) {
        this.version = version;
    }

    public int number() {
        return version;
    }

    /** {@code "Flink 1.x"} or {@code "Flink 2.x"}. */
    public String writtenBy() {
        return version >= FIRST_OF_FLINK_2 ? "Flink 2.x" : "Flink 1.x";
    }

    /** Whether the Flink this inspector runs on can read this version. */
    boolean readableHere() {
        try {
            MetadataSerializers.getSerializer(version);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Why this inspector cannot read the metadata at {@code location}, and what to use instead. */
    String unreadableHere(Object location) {
        return "Cannot read "
                + location
                + ": it is metadata version "
                + version
                + ", written by "
                + writtenBy()
                + ", which the Flink "
                + EnvironmentInformation.getVersion()
                + " this inspector runs on cannot read. Inspect it with the inspector of our jar"
                + " for "
                + writtenBy()
                + ".";
    }

    @Override
    public String toString() {
        return writtenBy() + " metadata v" + version;
    }
}
