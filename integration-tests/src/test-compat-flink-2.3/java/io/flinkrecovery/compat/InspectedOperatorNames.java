package io.flinkrecovery.compat;

import java.util.Arrays;
import java.util.List;

/**
 * The names the inspector gives the operators with these uids. Flink 2.x records each operator's
 * uid in {@code _metadata}, so they are the uids.
 */
public final class InspectedOperatorNames {

    private InspectedOperatorNames() {}

    public static List<String> ofUids(String... uids) {
        return Arrays.asList(uids);
    }
}
