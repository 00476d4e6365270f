package io.flinkrecovery.inspect;

import javax.annotation.Nullable;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The history of one job directory, for {@code flink-recovery-inspect report}: every retained
 * checkpoint with its size, the bytes it wrote and the bytes it reused, its backend and whether it
 * passes the fast check; for the newest one its key groups and restore plans; and the space the job
 * directory takes, live and orphaned.
 */
public final class JobReport {

    /** How a checkpoint's keyed state is stored, as its handles show. */
    public enum Backend {
        INCREMENTAL_HEAP("incremental heap"),
        FULL_KEY_GROUPS("full snapshot (HashMap)"),
        ROCKSDB_INCREMENTAL("RocksDB incremental"),
        MIXED("mixed"),
        NO_KEYED_STATE("no keyed state"),
        /** {@code _metadata} could not be read. */
        UNKNOWN("unknown");

        private final String label;

        Backend(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** One retained checkpoint. */
    public static final class Checkpoint {
        private final long id;
        private final String pointer;
        private final Backend backend;
        private final long stateBytes;
        private final long newBytes;
        private final int objects;
        private final long metadataBytes;
        private final Instant completed;
        @Nullable private final String writtenBy;
        private final InspectionReport validation;

        Checkpoint(
                long id,
                String pointer,
                Backend backend,
                long stateBytes,
                long newBytes,
                int objects,
                long metadataBytes,
                Instant completed,
                @Nullable String writtenBy,
                InspectionReport validation) {
            this.id = id;
            this.pointer = pointer;
            this.backend = backend;
            this.stateBytes = stateBytes;
            this.newBytes = newBytes;
            this.objects = objects;
            this.metadataBytes = metadataBytes;
            this.completed = completed;
            this.writtenBy = writtenBy;
            this.validation = validation;
        }

        public long id() {
            return id;
        }

        public String pointer() {
            return pointer;
        }

        public Backend backend() {
            return backend;
        }

        /** The full size of its state, as Flink's "full checkpoint data size". */
        public long stateBytes() {
            return stateBytes;
        }

        /** Bytes this checkpoint wrote, as Flink's "checkpointed data size". */
        public long newBytes() {
            return newBytes;
        }

        /** Bytes it references from earlier checkpoints' uploads. */
        public long reusedBytes() {
            return Math.max(0, stateBytes - newBytes);
        }

        /** Distinct objects it references ({@code _metadata} not counted). */
        public int objects() {
            return objects;
        }

        public long metadataBytes() {
            return metadataBytes;
        }

        /** When {@code _metadata} was written. */
        public Instant completed() {
            return completed;
        }

        /** The Flink line that wrote {@code _metadata}, if known. */
        public Optional<String> writtenBy() {
            return Optional.ofNullable(writtenBy);
        }

        /** The fast check of this checkpoint. */
        public InspectionReport validation() {
            return validation;
        }
    }

    /**
     * One keyed subtask's key groups in the newest checkpoint: bytes and, for the incremental heap
     * backend, the length of each key group's chain (base plus deltas); and what the subtask's
     * keyed state handle uploaded new and referenced from earlier checkpoints.
     */
    public static final class KeyGroups {
        private final String operator;
        private final int subtask;
        private final int firstKeyGroup;
        private final long newBytes;
        private final long reusedBytes;
        private final long[] bytes;
        @Nullable private final int[] chainDepths;

        KeyGroups(
                String operator,
                int subtask,
                int firstKeyGroup,
                long newBytes,
                long reusedBytes,
                long[] bytes,
                @Nullable int[] chainDepths) {
            this.operator = operator;
            this.subtask = subtask;
            this.firstKeyGroup = firstKeyGroup;
            this.newBytes = newBytes;
            this.reusedBytes = reusedBytes;
            this.bytes = bytes;
            this.chainDepths = chainDepths;
        }

        public String operator() {
            return operator;
        }

        public int subtask() {
            return subtask;
        }

        public int firstKeyGroup() {
            return firstKeyGroup;
        }

        /** Bytes of the subtask's keyed state that this checkpoint uploaded. */
        public long newBytes() {
            return newBytes;
        }

        /** Bytes of the subtask's keyed state that earlier checkpoints uploaded. */
        public long reusedBytes() {
            return reusedBytes;
        }

        /** Bytes per key group, from {@link #firstKeyGroup()} on. */
        public long[] bytes() {
            return bytes.clone();
        }

        /** Chain depth per key group; empty where the format has no chains (full snapshots). */
        public Optional<int[]> chainDepths() {
            return Optional.ofNullable(chainDepths == null ? null : chainDepths.clone());
        }
    }

    /** The objects under the job directory, and which of them a retained checkpoint uses. */
    public static final class Space {
        private final int storedObjects;
        private final long storedBytes;
        private final long liveBytes;
        private final int orphanedObjects;
        private final long orphanedBytes;
        private final long youngUnreferencedBytes;

        Space(
                int storedObjects,
                long storedBytes,
                long liveBytes,
                int orphanedObjects,
                long orphanedBytes,
                long youngUnreferencedBytes) {
            this.storedObjects = storedObjects;
            this.storedBytes = storedBytes;
            this.liveBytes = liveBytes;
            this.orphanedObjects = orphanedObjects;
            this.orphanedBytes = orphanedBytes;
            this.youngUnreferencedBytes = youngUnreferencedBytes;
        }

        public int storedObjects() {
            return storedObjects;
        }

        public long storedBytes() {
            return storedBytes;
        }

        /** Bytes of objects that some retained {@code _metadata} references, and the metadata. */
        public long liveBytes() {
            return liveBytes;
        }

        public int orphanedObjects() {
            return orphanedObjects;
        }

        /** Unreferenced bytes older than the grace period: what {@code orphans} would delete. */
        public long orphanedBytes() {
            return orphanedBytes;
        }

        /** Unreferenced bytes younger than the grace period (a checkpoint in progress). */
        public long youngUnreferencedBytes() {
            return youngUnreferencedBytes;
        }
    }

    private final String jobDirectory;
    private final Instant generatedAt;
    private final List<Checkpoint> checkpoints;
    private final int incompleteCheckpoints;
    private final List<KeyGroups> keyGroups;
    private final List<RestorePlan> plans;
    private final Space space;

    JobReport(
            String jobDirectory,
            Instant generatedAt,
            List<Checkpoint> checkpoints,
            int incompleteCheckpoints,
            List<KeyGroups> keyGroups,
            List<RestorePlan> plans,
            Space space) {
        this.jobDirectory = jobDirectory;
        this.generatedAt = generatedAt;
        this.checkpoints = List.copyOf(checkpoints);
        this.incompleteCheckpoints = incompleteCheckpoints;
        this.keyGroups = List.copyOf(keyGroups);
        this.plans = List.copyOf(plans);
        this.space = space;
    }

    public String jobDirectory() {
        return jobDirectory;
    }

    public Instant generatedAt() {
        return generatedAt;
    }

    /** The retained checkpoints, oldest first. */
    public List<Checkpoint> checkpoints() {
        return checkpoints;
    }

    /** The newest retained checkpoint, if any. */
    public Optional<Checkpoint> newest() {
        return checkpoints.isEmpty()
                ? Optional.empty()
                : Optional.of(checkpoints.get(checkpoints.size() - 1));
    }

    /** {@code chk-<n>} directories without {@code _metadata} (in progress or failed). */
    public int incompleteCheckpoints() {
        return incompleteCheckpoints;
    }

    /** The newest checkpoint's keyed subtasks; empty where the format has none per key group. */
    public List<KeyGroups> keyGroups() {
        return keyGroups;
    }

    /** Restore plans of the newest checkpoint: at its own parallelism, then at the chosen one. */
    public List<RestorePlan> plans() {
        return plans;
    }

    public Space space() {
        return space;
    }

    /**
     * Stored bytes over the newest checkpoint's state size: how much the bucket holds for each byte
     * a restore needs. Zero without a checkpoint.
     */
    public double spaceAmplification() {
        long state = newest().map(Checkpoint::stateBytes).orElse(0L);
        return state == 0 ? 0 : (double) space.storedBytes() / state;
    }
}
