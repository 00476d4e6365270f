package io.flinkrecovery.objectstore;

import java.io.IOException;
import java.io.InputStream;

/** A stream over an object (or a range of one) that can jump to any position. */
public abstract class SeekableInputStream extends InputStream {

    /** The position of the next byte to read, relative to the start of the object. */
    public abstract long getPos() throws IOException;

    /** Moves to {@code position}; the next read fetches from there. */
    public abstract void seek(long position) throws IOException;
}
