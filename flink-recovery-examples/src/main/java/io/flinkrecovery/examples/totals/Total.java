package io.flinkrecovery.examples.totals;

import java.util.Objects;

/** The running total of one key after {@code count} events. */
public final class Total {

    public int key;
    public long count;
    public long sum;

    public Total() {}

    public Total(int key, long count, long sum) {
        this.key = key;
        this.count = count;
        this.sum = sum;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Total)) {
            return false;
        }
        Total that = (Total) o;
        return key == that.key && count == that.count && sum == that.sum;
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, count, sum);
    }

    @Override
    public String toString() {
        return "Total{key=" + key + ", count=" + count + ", sum=" + sum + "}";
    }
}
