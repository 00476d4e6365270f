package io.flinkrecovery.fs;

import org.apache.flink.core.fs.FSDataOutputStream;

import io.flinkrecovery.objectstore.ObjectOutputStream;

import java.io.IOException;

/**
 * Flink's view of an object write stream. The object appears only on {@link #close()}, so {@link
 * #flush()} and {@link #sync()} make nothing durable earlier; Flink's checkpoint streams only rely
 * on close.
 */
final class S3DataOutputStream extends FSDataOutputStream {

    private final ObjectOutputStream out;

    S3DataOutputStream(ObjectOutputStream out) {
        this.out = out;
    }

    @Override
    public long getPos() {
        return out.getPos();
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void sync() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
