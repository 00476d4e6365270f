package io.flinkrecovery.fs;

import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectStore;
import io.flinkrecovery.objectstore.UploadedPart;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes an {@link S3Recoverable} into Flink's checkpoints. Version 1 holds, after a magic number:
 * bucket, key, upload id, write id, the parts (number, ETag, size), and the tail's key and length
 * if there is one.
 */
final class S3RecoverableSerializer implements SimpleVersionedSerializer<S3Recoverable> {

    static final S3RecoverableSerializer INSTANCE = new S3RecoverableSerializer();

    static final int VERSION = 1;

    /** "S3RW": tells our bytes from another file system's recoverable. */
    private static final int MAGIC = 0x53335257;

    private S3RecoverableSerializer() {}

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(S3Recoverable recoverable) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        out.writeInt(MAGIC);
        out.writeUTF(recoverable.location().bucket());
        out.writeUTF(recoverable.location().key());
        out.writeUTF(recoverable.uploadId());
        out.writeUTF(recoverable.writeId());
        out.writeInt(recoverable.parts().size());
        for (UploadedPart part : recoverable.parts()) {
            out.writeInt(part.number());
            out.writeUTF(part.etag());
            out.writeLong(part.size());
        }
        ObjectLocation tail = recoverable.tail();
        out.writeBoolean(tail != null);
        if (tail != null) {
            out.writeUTF(tail.key());
            out.writeLong(recoverable.tailLength());
        }
        return out.getCopyOfBuffer();
    }

    @Override
    public S3Recoverable deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION) {
            throw new IOException(
                    "Cannot read the state of an s3:// file being written: version "
                            + version
                            + " is unknown (this flink-recovery reads version "
                            + VERSION
                            + ")");
        }
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        int magic = in.readInt();
        if (magic != MAGIC) {
            throw new IOException(
                    "Cannot read the state of an s3:// file being written: it was not written by"
                            + " flink-recovery's s3 file system (magic number 0x"
                            + Integer.toHexString(magic)
                            + ")");
        }
        String bucket = in.readUTF();
        ObjectLocation location = ObjectLocation.of(bucket, in.readUTF());
        String uploadId = in.readUTF();
        String writeId = in.readUTF();
        int count = in.readInt();
        if (count < 0 || count > ObjectStore.MAX_PARTS) {
            throw new IOException(
                    "Cannot read the state of " + location + ": invalid number of parts " + count);
        }
        List<UploadedPart> parts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            parts.add(new UploadedPart(in.readInt(), in.readUTF(), in.readLong()));
        }
        ObjectLocation tail = null;
        long tailLength = 0;
        if (in.readBoolean()) {
            tail = ObjectLocation.of(bucket, in.readUTF());
            tailLength = in.readLong();
        }
        return new S3Recoverable(location, uploadId, writeId, parts, tail, tailLength);
    }
}
