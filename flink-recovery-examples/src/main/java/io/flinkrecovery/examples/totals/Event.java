package io.flinkrecovery.examples.totals;

import java.util.Objects;

/** One deterministic input event: an amount for a key. Event {@code i} is always the same. */
public final class Event {

    public int key;
    public long sequence;
    public long amount;

    public Event() {}

    public Event(int key, long sequence, long amount) {
        this.key = key;
        this.sequence = sequence;
        this.amount = amount;
    }

    /** The event with index {@code index} of a stream over {@code numKeys} keys. */
    public static Event at(long index, int numKeys) {
        long mixed = mix(index);
        return new Event(
                (int) Math.floorMod(mixed, (long) numKeys),
                index,
                1 + Math.floorMod(mixed >>> 20, 100L));
    }

    /** SplitMix64's finalizer: a cheap, well-spread hash of the index. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Event)) {
            return false;
        }
        Event that = (Event) o;
        return key == that.key && sequence == that.sequence && amount == that.amount;
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, sequence, amount);
    }

    @Override
    public String toString() {
        return "Event{key=" + key + ", sequence=" + sequence + ", amount=" + amount + "}";
    }
}
