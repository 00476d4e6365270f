package io.flinkrecovery.objectstore;

import java.io.OutputStream;

/**
 * A stream that writes one object. The object becomes visible only when {@link #close()} returns
 * normally; if writing or closing fails, nothing is visible and the upload is aborted. {@code
 * close()} is idempotent.
 */
public abstract class ObjectOutputStream extends OutputStream {

    /** The number of bytes written so far. */
    public abstract long getPos();

    /** Drops everything written so far; the object is never created. Idempotent. */
    public abstract void abort();
}
