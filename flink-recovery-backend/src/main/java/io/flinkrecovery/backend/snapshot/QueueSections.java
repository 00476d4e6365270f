package io.flinkrecovery.backend.snapshot;

/**
 * Where a block's priority-queue (timer) sections are, which decides how much of it a restore must
 * read before the task runs: every timer must be in before the operator opens, keyed state may wait
 * ({@code recovery.backend.restore.deferred}).
 */
public enum QueueSections {
    /** Anywhere among the keyed sections: blocks written before manifest version 3. */
    ANY_ORDER(0),
    /** Before every keyed section: the timers can be applied without decoding keyed state. */
    FIRST(1),
    /** None: the block need not even be fetched before the task runs. */
    NONE(2);

    private final byte id;

    QueueSections(int id) {
        this.id = (byte) id;
    }

    /** The byte a version 3 manifest stores. */
    public byte id() {
        return id;
    }

    /** The value stored as {@code id}, or null if this version does not know it. */
    public static QueueSections ofId(byte id) {
        for (QueueSections value : values()) {
            if (value.id == id) {
                return value;
            }
        }
        return null;
    }
}
