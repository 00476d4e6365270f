package io.flinkrecovery.compat;

import org.apache.flink.runtime.checkpoint.OperatorState;

/** How the inspector names an operator of a checkpoint: its uid, else its name, else its id. */
public final class OperatorNames {

    private OperatorNames() {}

    public static String of(OperatorState operator) {
        // Flink 1.20's _metadata (version 4) records neither uid nor name, only the id.
        return operator.getOperatorID().toHexString();
    }
}
