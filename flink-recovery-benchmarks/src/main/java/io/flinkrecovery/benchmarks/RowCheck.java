package io.flinkrecovery.benchmarks;

import java.util.BitSet;

/** Which of the rows {@code 0..expected-1} a FileSink's committed files hold, and how often. */
final class RowCheck {

    private final long expected;
    private final int rowBytes;
    private final BitSet seen = new BitSet();
    private long rows;
    private long duplicates;
    private long malformed;

    RowCheck(long expected, int rowBytes) {
        this.expected = expected;
        this.rowBytes = rowBytes;
    }

    /** Adds a committed file's text. */
    void addFile(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) {
            malformed++;
        }
        text.lines().forEach(this::addLine);
    }

    private void addLine(String line) {
        rows++;
        long index = FileSinkJob.indexOf(line, rowBytes);
        if (index < 0 || index >= expected) {
            malformed++;
        } else if (seen.get((int) index)) {
            duplicates++;
        } else {
            seen.set((int) index);
        }
    }

    long rows() {
        return rows;
    }

    long missing() {
        return expected - seen.cardinality();
    }

    /** Every row exactly once, and nothing else. */
    boolean exact() {
        return missing() == 0 && duplicates == 0 && malformed == 0;
    }

    @Override
    public String toString() {
        if (exact()) {
            return String.format("all %,d exactly once", expected);
        }
        return String.format(
                "%,d of %,d rows: %,d missing, %,d duplicates, %,d malformed",
                rows, expected, missing(), duplicates, malformed);
    }
}
