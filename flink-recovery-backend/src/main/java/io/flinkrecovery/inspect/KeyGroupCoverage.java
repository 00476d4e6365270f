package io.flinkrecovery.inspect;

import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

import io.flinkrecovery.inspect.CheckpointContents.OperatorKeyGroups;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * Checks one operator's keyed state: every subtask that has keyed state covers exactly the key
 * groups Flink assigned it, and no key group is covered twice. A subtask without keyed state had
 * none to write, which is not a gap.
 */
final class KeyGroupCoverage {

    private KeyGroupCoverage() {}

    static List<Finding> check(OperatorKeyGroups operator) {
        List<Finding> findings = new ArrayList<>();
        BitSet seen = new BitSet(operator.maxParallelism());
        for (Map.Entry<Integer, List<KeyGroupRange>> subtask : operator.bySubtask().entrySet()) {
            HandleOwner owner = new HandleOwner(operator.operator(), subtask.getKey());
            BitSet covered = new BitSet(operator.maxParallelism());
            for (KeyGroupRange range : subtask.getValue()) {
                for (int kg : range) {
                    if (seen.get(kg)) {
                        findings.add(
                                Finding.at(
                                        owner,
                                        Finding.Kind.KEY_GROUP_OVERLAP,
                                        null,
                                        "Key group "
                                                + kg
                                                + " is in more than one keyed state handle"));
                    }
                    seen.set(kg);
                    covered.set(kg);
                }
            }
            KeyGroupRange assigned =
                    KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(
                            operator.maxParallelism(), operator.parallelism(), subtask.getKey());
            BitSet missing = new BitSet();
            for (int kg : assigned) {
                if (!covered.get(kg)) {
                    missing.set(kg);
                }
            }
            if (!missing.isEmpty()) {
                findings.add(
                        Finding.at(
                                owner,
                                Finding.Kind.KEY_GROUP_GAP,
                                null,
                                "Key groups "
                                        + ranges(missing)
                                        + " of "
                                        + assigned
                                        + " have no keyed state handle"));
            }
        }
        return findings;
    }

    private static String ranges(BitSet bits) {
        StringBuilder out = new StringBuilder();
        for (int start = bits.nextSetBit(0); start >= 0; ) {
            int end = bits.nextClearBit(start) - 1;
            out.append(out.length() == 0 ? "" : ", ").append(start);
            if (end > start) {
                out.append('-').append(end);
            }
            start = bits.nextSetBit(end + 1);
        }
        return out.toString();
    }
}
