package io.flinkrecovery.compat;

import org.apache.flink.runtime.checkpoint.OperatorState;

/** How the inspector names an operator of a checkpoint: its uid, else its name, else its id. */
public final class OperatorNames {

    private OperatorNames() {}

    public static String of(OperatorState operator) {
        // Flink 2.x records the uid and name in _metadata (version 6).
        return operator.getOperatorUid()
                .or(operator::getOperatorName)
                .orElse(operator.getOperatorID().toHexString());
    }
}
