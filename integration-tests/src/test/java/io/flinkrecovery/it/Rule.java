package io.flinkrecovery.it;

/**
 * A broadcast element of {@link AllStatesJob}: every key's final summary scores its sub-key counts
 * with the weights of all rules. Rule {@code id} is a pure function of its index ({@link #at}).
 */
public record Rule(int id, int subKey, long weight) {

    static Rule at(long index) {
        int id = (int) index;
        return new Rule(id, id % AllStatesJob.SUB_KEYS, id + 1);
    }
}
