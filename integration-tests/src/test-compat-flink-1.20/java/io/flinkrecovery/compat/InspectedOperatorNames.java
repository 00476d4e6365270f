package io.flinkrecovery.compat;

import org.apache.flink.runtime.jobgraph.OperatorID;

import org.apache.flink.shaded.guava31.com.google.common.hash.Hashing;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The names the inspector gives the operators with these uids. Flink 1.20's {@code _metadata} holds
 * only operator ids, which Flink derives from a uid as {@code StreamGraphHasherV2} does: murmur3
 * (128 bits, seed 0) of the uid's UTF-8 bytes.
 */
public final class InspectedOperatorNames {

    private InspectedOperatorNames() {}

    public static List<String> ofUids(String... uids) {
        return Arrays.stream(uids)
                .map(
                        uid ->
                                new OperatorID(
                                                Hashing.murmur3_128(0)
                                                        .hashString(uid, StandardCharsets.UTF_8)
                                                        .asBytes())
                                        .toHexString())
                .collect(Collectors.toList());
    }
}
