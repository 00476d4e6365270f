package io.flinkrecovery.fs;

import org.apache.flink.core.fs.BlockLocation;

/** An object is one block with no particular host. */
final class S3BlockLocation implements BlockLocation {

    private final long length;

    S3BlockLocation(long length) {
        this.length = length;
    }

    @Override
    public String[] getHosts() {
        return new String[] {"localhost"};
    }

    @Override
    public long getOffset() {
        return 0;
    }

    @Override
    public long getLength() {
        return length;
    }

    @Override
    public int compareTo(BlockLocation other) {
        return Long.compare(getOffset(), other.getOffset());
    }
}
