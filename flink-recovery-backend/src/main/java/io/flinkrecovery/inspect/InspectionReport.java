package io.flinkrecovery.inspect;

import javax.annotation.Nullable;

import java.util.List;
import java.util.Optional;

/** What validating one checkpoint or savepoint found. Valid means: no finding is an error. */
public final class InspectionReport {

    private final String pointer;
    private final long checkpointId;
    @Nullable private final MetadataVersion metadataVersion;
    private final int objectsChecked;
    private final long referencedBytes;
    private final long inlinedBytes;
    private final List<Finding> findings;

    InspectionReport(
            String pointer,
            long checkpointId,
            @Nullable MetadataVersion metadataVersion,
            int objectsChecked,
            long referencedBytes,
            long inlinedBytes,
            List<Finding> findings) {
        this.pointer = pointer;
        this.checkpointId = checkpointId;
        this.metadataVersion = metadataVersion;
        this.objectsChecked = objectsChecked;
        this.referencedBytes = referencedBytes;
        this.inlinedBytes = inlinedBytes;
        this.findings = List.copyOf(findings);
    }

    /** The checkpoint directory that was checked. */
    public String pointer() {
        return pointer;
    }

    /** The id in {@code _metadata}, or -1 if it could not be read. */
    public long checkpointId() {
        return checkpointId;
    }

    /** The format of {@code _metadata} and the Flink line that wrote it, if it could be read. */
    public Optional<MetadataVersion> metadataVersion() {
        return Optional.ofNullable(metadataVersion);
    }

    public int objectsChecked() {
        return objectsChecked;
    }

    public long referencedBytes() {
        return referencedBytes;
    }

    public long inlinedBytes() {
        return inlinedBytes;
    }

    public List<Finding> findings() {
        return findings;
    }

    public boolean isValid() {
        return findings.stream().noneMatch(f -> f.kind().isError());
    }

    /** One line per error, for an exception message. */
    public String describeErrors() {
        StringBuilder out = new StringBuilder();
        findings.stream()
                .filter(f -> f.kind().isError())
                .forEach(f -> out.append("\n  - ").append(f));
        return out.toString();
    }

    @Override
    public String toString() {
        return pointer
                + (isValid() ? ": valid" : ": INVALID")
                + " ("
                + (metadataVersion == null ? "" : metadataVersion + ", ")
                + objectsChecked
                + " objects, "
                + referencedBytes
                + " bytes, "
                + findings.size()
                + " findings)";
    }
}
