package io.flinkrecovery.benchmarks;

import org.apache.flink.configuration.Configuration;

import java.util.ArrayList;
import java.util.List;

/** The state backends compared, each as the configuration keys that select it. */
enum Backend {
    INCREMENTAL_HEAP("incremental heap (ours)", "incremental-heap"),
    HASHMAP("HashMap", "hashmap"),
    ROCKSDB_INCREMENTAL("RocksDB incremental", "rocksdb-incremental"),
    FORST_LOCAL("ForSt, local primary dir", "forst-local"),
    FORST_REMOTE("ForSt, primary dir s3://", "forst-remote"),
    /** Ours with {@code execution.checkpointing.snapshot-compression}: only with --compression. */
    INCREMENTAL_HEAP_COMPRESSED("ours + compression", "incremental-heap-compressed");

    private final String label;
    private final String id;

    Backend(String label, String id) {
        this.label = label;
        this.id = id;
    }

    /**
     * The backends whose checkpoints and restores are measured: those compared (ForSt's unless left
     * out), and ours with snapshot compression if asked for.
     */
    static List<Backend> checkpointed(boolean compression, boolean forst) {
        List<Backend> backends =
                new ArrayList<>(List.of(INCREMENTAL_HEAP, HASHMAP, ROCKSDB_INCREMENTAL));
        if (forst) {
            backends.add(FORST_LOCAL);
            backends.add(FORST_REMOTE);
        }
        if (compression) {
            backends.add(INCREMENTAL_HEAP_COMPRESSED);
        }
        return backends;
    }

    String label() {
        return label;
    }

    /** A short name for job names and object prefixes. */
    String id() {
        return id;
    }

    void configure(Configuration config) {
        switch (this) {
            case INCREMENTAL_HEAP:
                config.setString(
                        "state.backend.type",
                        "io.flinkrecovery.backend.IncrementalHeapStateBackendFactory");
                break;
            case INCREMENTAL_HEAP_COMPRESSED:
                config.setString(
                        "state.backend.type",
                        "io.flinkrecovery.backend.IncrementalHeapStateBackendFactory");
                config.setString("execution.checkpointing.snapshot-compression", "true");
                break;
            case HASHMAP:
                config.setString("state.backend.type", "hashmap");
                break;
            case ROCKSDB_INCREMENTAL:
                config.setString("state.backend.type", "rocksdb");
                config.setString("execution.checkpointing.incremental", "true");
                break;
            case FORST_LOCAL:
                config.setString("state.backend.type", "forst");
                config.setString("execution.checkpointing.incremental", "true");
                config.setString("state.backend.forst.primary-dir", "local-dir");
                break;
            case FORST_REMOTE:
                config.setString("state.backend.type", "forst");
                config.setString("execution.checkpointing.incremental", "true");
                config.setString("state.backend.forst.primary-dir", "checkpoint-dir");
                config.setString("state.backend.forst.sync.enforce-local", "false");
                break;
            default:
                throw new IllegalStateException("Unknown backend " + this);
        }
    }
}
