package io.flinkrecovery.compat;

import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.jobgraph.OperatorID;

/** An operator's state in a checkpoint that tests build by hand. Flink 2.x records name and uid. */
public final class OperatorStates {

    private OperatorStates() {}

    public static OperatorState named(
            String name, OperatorID id, int parallelism, int maxParallelism) {
        return new OperatorState(name, name, id, parallelism, maxParallelism);
    }
}
