package io.flinkrecovery.inspect;

import org.apache.flink.runtime.state.IncrementalKeyedStateHandle.HandleAndLocalPath;
import org.apache.flink.runtime.state.IncrementalRemoteKeyedStateHandle;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.KeyGroupRangeOffsets;
import org.apache.flink.runtime.state.KeyGroupsStateHandle;
import org.apache.flink.runtime.state.KeyedStateHandle;

import io.flinkrecovery.backend.snapshot.BlockRef;
import io.flinkrecovery.backend.snapshot.Manifest;
import io.flinkrecovery.inspect.CheckpointContents.OperatorKeyGroups;
import io.flinkrecovery.objectstore.ObjectStore;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Previews what each keyed subtask downloads when a checkpoint is restored with another
 * parallelism: Flink's key-group assignment, then per handle what its format makes the backend
 * read. Key-groups handles are read per key group, RocksDB's incremental handles whole, and the
 * incremental heap backend's only the blocks of the subtask's key groups.
 */
final class RestorePlanner {

    private final ObjectStore store;

    RestorePlanner(ObjectStore store) {
        this.store = store;
    }

    List<RestorePlan.Subtask> plan(CheckpointContents contents, int parallelism)
            throws IOException {
        List<RestorePlan.Subtask> rows = new ArrayList<>();
        for (Map.Entry<String, List<KeyedStateHandle>> operator :
                contents.keyedHandles().entrySet()) {
            OperatorKeyGroups keyGroups = contents.keyGroups().get(operator.getKey());
            int maxParallelism = keyGroups.maxParallelism();
            for (int subtask = 0; subtask < parallelism; subtask++) {
                KeyGroupRange range =
                        KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(
                                maxParallelism, parallelism, subtask);
                Totals totals = new Totals();
                for (KeyedStateHandle handle : operator.getValue()) {
                    KeyGroupRange overlap = handle.getKeyGroupRange().getIntersection(range);
                    if (overlap.getNumberOfKeyGroups() > 0) {
                        add(handle, overlap, totals);
                    }
                }
                rows.add(
                        new RestorePlan.Subtask(
                                operator.getKey(),
                                subtask,
                                range,
                                totals.bytes,
                                totals.gets,
                                totals.depth));
            }
        }
        return rows;
    }

    private void add(KeyedStateHandle handle, KeyGroupRange overlap, Totals totals)
            throws IOException {
        if (handle instanceof KeyGroupsStateHandle) {
            KeyGroupsStateHandle groups = (KeyGroupsStateHandle) handle;
            KeyGroupRangeOffsets offsets = groups.getGroupRangeOffsets();
            long end = groups.getDelegateStateHandle().getStateSize();
            for (int kg : overlap) {
                long start = offsets.getKeyGroupOffset(kg);
                long next =
                        groups.getKeyGroupRange().contains(kg + 1)
                                ? offsets.getKeyGroupOffset(kg + 1)
                                : end;
                totals.bytes += next - start;
            }
            totals.gets += 1;
            totals.depth = Math.max(totals.depth, 1);
        } else if (handle instanceof IncrementalRemoteKeyedStateHandle) {
            IncrementalRemoteKeyedStateHandle incremental =
                    (IncrementalRemoteKeyedStateHandle) handle;
            Optional<Manifest> manifest =
                    Manifests.read(store, incremental.getMetaDataStateHandle());
            totals.bytes += incremental.getMetaDataStateHandle().getStateSize();
            totals.gets += 1;
            if (manifest.isPresent()) {
                addBlocks(manifest.get(), overlap, totals);
            } else {
                // RocksDB downloads every file of the handle, whatever its key groups.
                for (HandleAndLocalPath file : incremental.getSharedState()) {
                    totals.bytes += file.getStateSize();
                    totals.gets += 1;
                }
                for (HandleAndLocalPath file : incremental.getPrivateState()) {
                    totals.bytes += file.getStateSize();
                    totals.gets += 1;
                }
            }
        }
    }

    /** Block bytes of the key groups, with adjacent blocks of one segment read by one GET. */
    private static void addBlocks(Manifest manifest, KeyGroupRange overlap, Totals totals) {
        List<BlockRef> blocks = new ArrayList<>();
        for (int kg : overlap) {
            List<BlockRef> chain = manifest.chain(kg);
            blocks.addAll(chain);
            totals.depth = Math.max(totals.depth, chain.size());
        }
        blocks.sort(Comparator.comparing(BlockRef::segment).thenComparingLong(BlockRef::offset));
        BlockRef previous = null;
        for (BlockRef block : blocks) {
            totals.bytes += block.length();
            boolean adjacent =
                    previous != null
                            && previous.segment().equals(block.segment())
                            && previous.offset() + previous.length() == block.offset();
            if (!adjacent) {
                totals.gets += 1;
            }
            previous = block;
        }
    }

    private static final class Totals {
        long bytes;
        int gets;
        int depth;
    }
}
