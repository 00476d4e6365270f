package io.flinkrecovery.inspect;

import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.state.IncrementalKeyedStateHandle.HandleAndLocalPath;
import org.apache.flink.runtime.state.IncrementalRemoteKeyedStateHandle;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupsStateHandle;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.OperatorStateHandle;
import org.apache.flink.runtime.state.StateObject;
import org.apache.flink.runtime.state.StreamStateHandle;
import org.apache.flink.runtime.state.filemerging.SegmentFileStateHandle;
import org.apache.flink.runtime.state.filesystem.FileStateHandle;
import org.apache.flink.runtime.state.memory.ByteStreamStateHandle;

import io.flinkrecovery.compat.ChannelStates;
import io.flinkrecovery.compat.OperatorNames;
import io.flinkrecovery.objectstore.ObjectLocation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one checkpoint's {@code _metadata} references: the objects, with the sizes their
 * handles expect, and the key-group ranges of each operator's keyed state. Walks every handle type
 * that {@code _metadata} can hold: key-groups and incremental keyed handles, operator state,
 * channel state of unaligned checkpoints, and inlined bytes.
 */
final class CheckpointContents {

    private final List<ReferencedObject> objects = new ArrayList<>();
    private final Map<String, OperatorKeyGroups> keyGroups = new LinkedHashMap<>();
    private final List<Finding> findings = new ArrayList<>();
    private final Map<IncrementalRemoteKeyedStateHandle, HandleOwner> incrementalHandles =
            new LinkedHashMap<>();
    private final Map<String, List<KeyedStateHandle>> keyedHandles = new LinkedHashMap<>();
    private long inlinedBytes;

    static CheckpointContents of(CheckpointMetadata metadata) {
        CheckpointContents contents = new CheckpointContents();
        for (OperatorState operator : metadata.getOperatorStates()) {
            contents.walk(operator);
        }
        return contents;
    }

    List<ReferencedObject> objects() {
        return Collections.unmodifiableList(objects);
    }

    Map<String, OperatorKeyGroups> keyGroups() {
        return Collections.unmodifiableMap(keyGroups);
    }

    /** Handles the inspector cannot check (an unknown type), as findings. */
    List<Finding> findings() {
        return Collections.unmodifiableList(findings);
    }

    long inlinedBytes() {
        return inlinedBytes;
    }

    /** The managed keyed state handles of each operator, for restore plans. */
    Map<String, List<KeyedStateHandle>> keyedHandles() {
        return Collections.unmodifiableMap(keyedHandles);
    }

    /** Incremental keyed handles (ours or RocksDB's), with their owners, for manifest checks. */
    Map<IncrementalRemoteKeyedStateHandle, HandleOwner> incrementalHandles() {
        return Collections.unmodifiableMap(incrementalHandles);
    }

    private void walk(OperatorState operator) {
        String name = OperatorNames.of(operator);
        if (operator.getCoordinatorState() != null) {
            stream(operator.getCoordinatorState(), new HandleOwner(name, -1));
        }
        OperatorKeyGroups ranges =
                new OperatorKeyGroups(
                        name, operator.getParallelism(), operator.getMaxParallelism());
        for (Map.Entry<Integer, OperatorSubtaskState> subtask :
                operator.getSubtaskStates().entrySet()) {
            HandleOwner owner = new HandleOwner(name, subtask.getKey());
            OperatorSubtaskState state = subtask.getValue();
            for (KeyedStateHandle keyed : state.getManagedKeyedState()) {
                keyedHandles.computeIfAbsent(name, n -> new ArrayList<>()).add(keyed);
                keyed(keyed, owner);
                ranges.add(subtask.getKey(), keyed.getKeyGroupRange());
            }
            for (KeyedStateHandle keyed : state.getRawKeyedState()) {
                keyed(keyed, owner);
            }
            for (OperatorStateHandle handle : state.getManagedOperatorState()) {
                stream(handle.getDelegateStateHandle(), owner);
            }
            for (OperatorStateHandle handle : state.getRawOperatorState()) {
                stream(handle.getDelegateStateHandle(), owner);
            }
            for (StateObject channel : ChannelStates.streams(state)) {
                if (channel instanceof StreamStateHandle) {
                    stream((StreamStateHandle) channel, owner);
                } else {
                    unknown(channel, owner);
                }
            }
        }
        if (!ranges.isEmpty()) {
            keyGroups.put(name, ranges);
        }
    }

    private void keyed(KeyedStateHandle handle, HandleOwner owner) {
        if (handle instanceof KeyGroupsStateHandle) {
            stream(((KeyGroupsStateHandle) handle).getDelegateStateHandle(), owner);
        } else if (handle instanceof IncrementalRemoteKeyedStateHandle) {
            IncrementalRemoteKeyedStateHandle incremental =
                    (IncrementalRemoteKeyedStateHandle) handle;
            incrementalHandles.put(incremental, owner);
            stream(incremental.getMetaDataStateHandle(), owner);
            for (HandleAndLocalPath shared : incremental.getSharedState()) {
                stream(shared.getHandle(), owner, isSst(shared));
            }
            for (HandleAndLocalPath exclusive : incremental.getPrivateState()) {
                stream(exclusive.getHandle(), owner, isSst(exclusive));
            }
        } else {
            unknown(handle, owner);
        }
    }

    /** RocksDB names its table files {@code <number>.sst} in an incremental handle. */
    private static boolean isSst(HandleAndLocalPath file) {
        return file.getLocalPath() != null && file.getLocalPath().endsWith(".sst");
    }

    private void stream(StreamStateHandle handle, HandleOwner owner) {
        stream(handle, owner, false);
    }

    private void stream(StreamStateHandle handle, HandleOwner owner, boolean sst) {
        if (handle instanceof ByteStreamStateHandle) {
            inlinedBytes += handle.getStateSize();
        } else if (handle instanceof FileStateHandle) {
            add(((FileStateHandle) handle).getFilePath(), handle.getStateSize(), true, owner, sst);
        } else if (handle instanceof SegmentFileStateHandle) {
            SegmentFileStateHandle segment = (SegmentFileStateHandle) handle;
            add(
                    segment.getFilePath(),
                    segment.getStartPos() + segment.getStateSize(),
                    false,
                    owner,
                    false);
        } else if (handle instanceof KeyGroupsStateHandle) {
            stream(((KeyGroupsStateHandle) handle).getDelegateStateHandle(), owner);
        } else if (handle != null) {
            unknown(handle, owner);
        }
    }

    private void add(Path path, long size, boolean exact, HandleOwner owner, boolean sst) {
        ObjectLocation location;
        try {
            location = ObjectLocation.parse(path.toUri());
        } catch (IllegalArgumentException e) {
            findings.add(
                    Finding.at(
                            owner,
                            Finding.Kind.UNKNOWN_HANDLE,
                            path.toString(),
                            "State at "
                                    + path
                                    + " is not on S3; the inspector checks s3:// objects only"));
            return;
        }
        objects.add(new ReferencedObject(location, size, exact, owner, sst));
    }

    private void unknown(StateObject handle, HandleOwner owner) {
        findings.add(
                Finding.at(
                        owner,
                        Finding.Kind.UNKNOWN_HANDLE,
                        null,
                        "Cannot check a state handle of type " + handle.getClass().getName()));
    }

    /** The key-group ranges of one operator's keyed state, per subtask. */
    static final class OperatorKeyGroups {
        private final String operator;
        private final int parallelism;
        private final int maxParallelism;
        private final Map<Integer, List<KeyGroupRange>> bySubtask = new LinkedHashMap<>();

        OperatorKeyGroups(String operator, int parallelism, int maxParallelism) {
            this.operator = operator;
            this.parallelism = parallelism;
            this.maxParallelism = maxParallelism;
        }

        void add(int subtask, KeyGroupRange range) {
            bySubtask.computeIfAbsent(subtask, s -> new ArrayList<>()).add(range);
        }

        boolean isEmpty() {
            return bySubtask.isEmpty();
        }

        String operator() {
            return operator;
        }

        int parallelism() {
            return parallelism;
        }

        int maxParallelism() {
            return maxParallelism;
        }

        Map<Integer, List<KeyGroupRange>> bySubtask() {
            return bySubtask;
        }
    }
}
