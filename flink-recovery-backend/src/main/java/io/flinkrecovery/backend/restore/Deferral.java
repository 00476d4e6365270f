package io.flinkrecovery.backend.restore;

import io.flinkrecovery.backend.snapshot.BlockRef;
import io.flinkrecovery.backend.snapshot.QueueSections;

import java.util.List;

/** What of a key group a restore leaves until after the task started. */
enum Deferral {
    /** Nothing: every block is applied before. */
    NONE,
    /** The keyed state: every block is fetched and checked, and its timers applied, before. */
    KEYED_STATE,
    /** Everything: the blocks hold no timers, so even their fetching can wait. */
    FETCH_LATER;

    /**
     * What of a key group with {@code chain} can wait: its keyed state if its timers can be applied
     * without decoding it (every block has them first, or its manifest has no queues); its fetching
     * too if no block holds a timer and {@code fetchLazily}.
     */
    static Deferral of(List<BlockRef> chain, boolean manifestHasQueues, boolean fetchLazily) {
        boolean noTimers = true;
        for (BlockRef block : chain) {
            if (manifestHasQueues) {
                if (!block.queuesFirst()) {
                    return NONE;
                }
                noTimers &= block.queues() == QueueSections.NONE;
            }
        }
        return fetchLazily && noTimers ? FETCH_LATER : KEYED_STATE;
    }
}
