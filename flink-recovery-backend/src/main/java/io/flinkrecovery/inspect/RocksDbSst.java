package io.flinkrecovery.inspect;

import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectStore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * Verifies a RocksDB SST file with RocksDB's own block checksums ({@code
 * SstFileReader#verifyChecksum} of the frocksdbjni that Flink's RocksDB backend ships): downloads
 * it to a temporary file, verifies, deletes. Where the RocksDB classes are not on the class path
 * the inspector reads SST files without verifying them, and says so.
 */
final class RocksDbSst {

    private static final boolean AVAILABLE = available();

    private RocksDbSst() {}

    static boolean isAvailable() {
        return AVAILABLE;
    }

    /**
     * Downloads and verifies {@code location}.
     *
     * @return its size, and what RocksDB found wrong, if anything
     */
    static Verified verify(ObjectStore store, ObjectLocation location) throws IOException {
        Path file = Files.createTempFile("flink-recovery-inspect-", ".sst");
        try {
            long size;
            try (InputStream in = store.open(location)) {
                size = Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            }
            // RocksDB names the temporary file; the finding names the object already.
            return new Verified(
                    size, Reader.verify(file).map(p -> p.replace(file.toString(), "the file")));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** What {@link #verify} found. */
    static final class Verified {
        final long size;
        final Optional<String> problem;

        Verified(long size, Optional<String> problem) {
            this.size = size;
            this.problem = problem;
        }
    }

    private static boolean available() {
        try {
            Class.forName("org.rocksdb.SstFileReader", false, RocksDbSst.class.getClassLoader());
            org.rocksdb.RocksDB.loadLibrary();
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** The only code that touches {@code org.rocksdb}: loaded once RocksDB is known present. */
    private static final class Reader {
        static Optional<String> verify(Path file) {
            try (org.rocksdb.Options options = new org.rocksdb.Options();
                    org.rocksdb.SstFileReader reader = new org.rocksdb.SstFileReader(options)) {
                reader.open(file.toString());
                reader.verifyChecksum();
                return Optional.empty();
            } catch (org.rocksdb.RocksDBException e) {
                return Optional.of(String.valueOf(e.getMessage()));
            }
        }
    }
}
