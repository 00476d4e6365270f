package io.flinkrecovery.inspect;

import org.apache.flink.runtime.state.IncrementalKeyedStateHandle.HandleAndLocalPath;
import org.apache.flink.runtime.state.IncrementalRemoteKeyedStateHandle;
import org.apache.flink.runtime.state.StreamStateHandle;

import io.flinkrecovery.backend.snapshot.BlockRef;
import io.flinkrecovery.backend.snapshot.Manifest;
import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectStore;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32C;

/**
 * Checks the manifests of the incremental heap backend: every block a key group's chain names lies
 * inside a segment the handle lists, and in deep mode its stored bytes match the manifest's CRC32C
 * and, if it is stored compressed, decompress to the length the manifest records. Other incremental
 * handles (RocksDB's) have no manifest and are left to the object checks.
 *
 * <p>In deep mode the segments are read in parallel, each once, and {@link #checksummed()} names
 * them, so that the object checks need not read them a second time.
 */
final class ManifestCheck {

    /** Bytes of a segment one thread checksums at most. */
    private static final long CHUNK_BYTES = 32L * 1024 * 1024;

    private static final int READ_BUFFER_BYTES = 256 * 1024;

    private final ObjectStore store;
    private final int threads;
    private final Progress progress;
    private final Set<ObjectLocation> checksummed = ConcurrentHashMap.newKeySet();

    ManifestCheck(ObjectStore store, int threads, Progress progress) {
        this.store = store;
        this.threads = threads;
        this.progress = progress;
    }

    List<Finding> check(Map<IncrementalRemoteKeyedStateHandle, HandleOwner> handles, boolean deep)
            throws IOException {
        List<Finding> findings = new ArrayList<>();
        List<Callable<List<Finding>>> verifications = new ArrayList<>();
        for (Map.Entry<IncrementalRemoteKeyedStateHandle, HandleOwner> entry : handles.entrySet()) {
            findings.addAll(check(entry.getKey(), entry.getValue(), deep, verifications));
        }
        findings.addAll(
                ParallelChecks.run(verifications, threads, progress, "checksumming segments"));
        return findings;
    }

    /** The segments whose every referenced block a deep check has read and checksummed. */
    Set<ObjectLocation> checksummed() {
        return Collections.unmodifiableSet(checksummed);
    }

    private List<Finding> check(
            IncrementalRemoteKeyedStateHandle handle,
            HandleOwner owner,
            boolean deep,
            List<Callable<List<Finding>>> verifications)
            throws IOException {
        Optional<Manifest> manifest;
        try {
            manifest = Manifests.read(store, handle.getMetaDataStateHandle());
        } catch (IOException e) {
            return List.of(
                    Finding.at(
                            owner,
                            Finding.Kind.UNREADABLE_OBJECT,
                            describe(handle.getMetaDataStateHandle()),
                            "Cannot read the manifest "
                                    + describe(handle.getMetaDataStateHandle())
                                    + ": "
                                    + e));
        }
        if (manifest.isEmpty()) {
            return List.of();
        }
        Map<String, StreamStateHandle> segments = new HashMap<>();
        for (HandleAndLocalPath shared : handle.getSharedState()) {
            segments.put(shared.getLocalPath(), shared.getHandle());
        }
        for (HandleAndLocalPath exclusive : handle.getPrivateState()) {
            segments.put(exclusive.getLocalPath(), exclusive.getHandle());
        }
        List<Finding> findings = new ArrayList<>();
        Map<String, List<Block>> blocksBySegment = new HashMap<>();
        for (int kg : manifest.get().keyGroupRange()) {
            for (BlockRef block : manifest.get().chain(kg)) {
                StreamStateHandle segment = segments.get(block.segment());
                if (segment == null) {
                    findings.add(
                            Finding.at(
                                    owner,
                                    Finding.Kind.MISSING_OBJECT,
                                    block.segment(),
                                    "The manifest of key group "
                                            + kg
                                            + " names segment "
                                            + block.segment()
                                            + ", which the state handle does not list"));
                } else if (block.offset() + block.length() > segment.getStateSize()) {
                    findings.add(
                            Finding.at(
                                    owner,
                                    Finding.Kind.SIZE_MISMATCH,
                                    describe(segment),
                                    "Block of key group "
                                            + kg
                                            + " at offset "
                                            + block.offset()
                                            + " ("
                                            + block.length()
                                            + " bytes) lies beyond the "
                                            + segment.getStateSize()
                                            + " bytes of "
                                            + describe(segment)));
                } else {
                    blocksBySegment
                            .computeIfAbsent(block.segment(), s -> new ArrayList<>())
                            .add(new Block(kg, block));
                }
            }
        }
        if (deep) {
            for (Map.Entry<String, List<Block>> segment : blocksBySegment.entrySet()) {
                StreamStateHandle segmentHandle = segments.get(segment.getKey());
                for (List<Block> chunk : chunks(segment.getValue())) {
                    verifications.add(() -> verifyChecksums(segmentHandle, chunk, owner));
                }
            }
        }
        return findings;
    }

    /**
     * Splits a segment's blocks, in offset order, into runs of at most {@link #CHUNK_BYTES}, so
     * that a large segment is checksummed by several threads.
     */
    private static List<List<Block>> chunks(List<Block> blocks) {
        blocks.sort(Comparator.comparingLong(b -> b.ref.offset()));
        List<List<Block>> chunks = new ArrayList<>();
        List<Block> current = new ArrayList<>();
        long start = -1;
        for (Block block : blocks) {
            if (!current.isEmpty()
                    && block.ref.offset() + block.ref.length() - start > CHUNK_BYTES) {
                chunks.add(current);
                current = new ArrayList<>();
            }
            if (current.isEmpty()) {
                start = block.ref.offset();
            }
            current.add(block);
        }
        if (!current.isEmpty()) {
            chunks.add(current);
        }
        return chunks;
    }

    /**
     * Streams a run of blocks of a segment, in offset order, compares each one's CRC32C and
     * decompresses the compressed ones.
     */
    private List<Finding> verifyChecksums(
            StreamStateHandle segment, List<Block> blocks, HandleOwner owner) throws IOException {
        List<Finding> findings = new ArrayList<>();
        long first = blocks.get(0).ref.offset();
        Block last = blocks.get(blocks.size() - 1);
        long end = last.ref.offset() + last.ref.length();
        Optional<ObjectLocation> location = Manifests.locationOf(segment);
        try (InputStream in =
                location.isPresent()
                        ? store.openRange(location.get(), first, end - first)
                        : Manifests.open(store, segment)) {
            long position = location.isPresent() ? first : 0;
            byte[] buffer = new byte[READ_BUFFER_BYTES];
            CRC32C crc = new CRC32C();
            for (Block block : blocks) {
                if (block.ref.offset() < position) {
                    continue; // the same block shared by two chains; checked already
                }
                skipFully(in, block.ref.offset() - position);
                crc.reset();
                byte[] stored = block.ref.isCompressed() ? new byte[block.ref.length()] : null;
                long read =
                        stored != null
                                ? readAndChecksum(in, stored, crc)
                                : checksum(in, block.ref.length(), buffer, crc);
                position = block.ref.offset() + read;
                boolean crcMatches =
                        read == block.ref.length() && (int) crc.getValue() == block.ref.crc();
                if (crcMatches && stored != null) {
                    decompressionFinding(block, stored, segment, owner).ifPresent(findings::add);
                }
                if (!crcMatches) {
                    findings.add(
                            Finding.at(
                                    owner,
                                    Finding.Kind.CHECKSUM_MISMATCH,
                                    describe(segment),
                                    "Block of key group "
                                            + block.keyGroup
                                            + " at offset "
                                            + block.ref.offset()
                                            + " of "
                                            + describe(segment)
                                            + " has CRC32C "
                                            + Integer.toHexString((int) crc.getValue())
                                            + ", its manifest says "
                                            + Integer.toHexString(block.ref.crc())));
                }
            }
        } catch (FileNotFoundException e) {
            return List.of(); // reported by the object checks
        }
        Manifests.locationOf(segment).ifPresent(checksummed::add);
        return findings;
    }

    /** A finding if a compressed block whose CRC32C matches does not decode to its raw length. */
    private static Optional<Finding> decompressionFinding(
            Block block, byte[] stored, StreamStateHandle segment, HandleOwner owner) {
        try {
            block.ref.compression().decompress(stored, 0, stored.length, block.ref.rawLength());
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(
                    Finding.at(
                            owner,
                            Finding.Kind.UNREADABLE_OBJECT,
                            describe(segment),
                            "Block of key group "
                                    + block.keyGroup
                                    + " at offset "
                                    + block.ref.offset()
                                    + " of "
                                    + describe(segment)
                                    + " matches its CRC32C but does not decompress ("
                                    + block.ref.compression()
                                    + ", "
                                    + block.ref.rawLength()
                                    + " bytes expected): "
                                    + e.getMessage()));
        }
    }

    /**
     * Reads up to {@code into.length} bytes into {@code into} and {@code crc}; returns how many.
     */
    private static long readAndChecksum(InputStream in, byte[] into, CRC32C crc)
            throws IOException {
        int read = 0;
        while (read < into.length) {
            int n = in.read(into, read, into.length - read);
            if (n < 0) {
                break; // the short block is reported by the caller
            }
            read += n;
        }
        crc.update(into, 0, read);
        return read;
    }

    /** Feeds up to {@code length} bytes of {@code in} to {@code crc}; returns how many it read. */
    private static long checksum(InputStream in, long length, byte[] buffer, CRC32C crc)
            throws IOException {
        long read = 0;
        while (read < length) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, length - read));
            if (n < 0) {
                break; // the short block is reported by the caller
            }
            crc.update(buffer, 0, n);
            read += n;
        }
        return read;
    }

    private static void skipFully(InputStream in, long bytes) throws IOException {
        long left = bytes;
        while (left > 0) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() == -1) {
                    return; // the short block is reported by its CRC check
                }
                skipped = 1;
            }
            left -= skipped;
        }
    }

    private static String describe(StreamStateHandle handle) {
        return Manifests.describe(handle);
    }

    private static final class Block {
        final int keyGroup;
        final BlockRef ref;

        Block(int keyGroup, BlockRef ref) {
            this.keyGroup = keyGroup;
            this.ref = ref;
        }
    }
}
