package io.flinkrecovery.fs;

import org.apache.flink.core.fs.FSDataInputStream;

import io.flinkrecovery.objectstore.SeekableInputStream;

import java.io.IOException;

/** Flink's view of an object read stream. */
final class S3DataInputStream extends FSDataInputStream {

    private final SeekableInputStream in;

    S3DataInputStream(SeekableInputStream in) {
        this.in = in;
    }

    @Override
    public void seek(long desired) throws IOException {
        in.seek(desired);
    }

    @Override
    public long getPos() throws IOException {
        return in.getPos();
    }

    @Override
    public int read() throws IOException {
        return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        return in.read(b, off, len);
    }

    @Override
    public long skip(long n) throws IOException {
        return in.skip(n);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
