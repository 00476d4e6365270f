package io.flinkrecovery.inspect;

import org.apache.flink.runtime.state.KeyGroupRange;

import java.util.List;

/** What restoring a checkpoint with a given parallelism would download, per keyed subtask. */
public final class RestorePlan {

    /** One subtask of one operator after the restore. */
    public static final class Subtask {
        private final String operator;
        private final int subtask;
        private final KeyGroupRange keyGroups;
        private final long bytes;
        private final int gets;
        private final int maxChainDepth;

        Subtask(
                String operator,
                int subtask,
                KeyGroupRange keyGroups,
                long bytes,
                int gets,
                int maxChainDepth) {
            this.operator = operator;
            this.subtask = subtask;
            this.keyGroups = keyGroups;
            this.bytes = bytes;
            this.gets = gets;
            this.maxChainDepth = maxChainDepth;
        }

        public String operator() {
            return operator;
        }

        public int subtask() {
            return subtask;
        }

        public KeyGroupRange keyGroups() {
            return keyGroups;
        }

        /** Bytes this subtask downloads for its keyed state. */
        public long bytes() {
            return bytes;
        }

        /** GET requests, counting one per contiguous range read. */
        public int gets() {
            return gets;
        }

        /**
         * The longest chain of an incremental heap key group (base plus deltas); 1 for full
         * snapshots, 0 where unknown (RocksDB).
         */
        public int maxChainDepth() {
            return maxChainDepth;
        }
    }

    private final String pointer;
    private final int parallelism;
    private final List<Subtask> subtasks;

    RestorePlan(String pointer, int parallelism, List<Subtask> subtasks) {
        this.pointer = pointer;
        this.parallelism = parallelism;
        this.subtasks = List.copyOf(subtasks);
    }

    public String pointer() {
        return pointer;
    }

    public int parallelism() {
        return parallelism;
    }

    public List<Subtask> subtasks() {
        return subtasks;
    }
}
