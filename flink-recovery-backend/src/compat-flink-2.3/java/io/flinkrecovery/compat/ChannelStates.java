package io.flinkrecovery.compat;

import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.AbstractChannelStateHandle;
import org.apache.flink.runtime.state.AbstractMergedChannelStateHandle;
import org.apache.flink.runtime.state.StateObject;

import java.util.ArrayList;
import java.util.List;

/** The channel state of a subtask (unaligned checkpoints), as the stream handles that hold it. */
public final class ChannelStates {

    private ChannelStates() {}

    /**
     * Each channel state handle of {@code state}: the stream handle it reads from, or the handle
     * itself if it is of a kind this class does not know.
     */
    public static List<StateObject> streams(OperatorSubtaskState state) {
        List<StateObject> streams = new ArrayList<>();
        addAll(state.getInputChannelState(), streams);
        addAll(state.getUpstreamOutputBufferState(), streams);
        addAll(state.getResultSubpartitionState(), streams);
        return streams;
    }

    private static void addAll(Iterable<? extends StateObject> handles, List<StateObject> streams) {
        for (StateObject handle : handles) {
            if (handle instanceof AbstractChannelStateHandle) {
                streams.add(((AbstractChannelStateHandle<?>) handle).getDelegate());
            } else if (handle instanceof AbstractMergedChannelStateHandle) {
                streams.add(((AbstractMergedChannelStateHandle<?, ?>) handle).getDelegate());
            } else {
                streams.add(handle);
            }
        }
    }
}
