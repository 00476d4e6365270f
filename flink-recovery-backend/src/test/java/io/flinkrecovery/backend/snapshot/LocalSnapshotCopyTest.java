package io.flinkrecovery.backend.snapshot;

import org.apache.flink.api.common.JobID;
import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.jobgraph.JobVertexID;
import org.apache.flink.runtime.state.IncrementalKeyedStateHandle.HandleAndLocalPath;
import org.apache.flink.runtime.state.IncrementalLocalKeyedStateHandle;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.LocalRecoveryConfig;
import org.apache.flink.runtime.state.LocalSnapshotDirectoryProviderImpl;
import org.apache.flink.runtime.state.StreamStateHandle;
import org.apache.flink.runtime.state.filesystem.FileStateHandle;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The local copies of {@link LocalBackup}: what a copy holds, how the next copy links earlier
 * segments, that a copy missing a segment is dropped, and that a restore reads a local copy only if
 * it is intact.
 */
class LocalSnapshotCopyTest {

    private static final UUID BACKEND = UUID.randomUUID();
    private static final KeyGroupRange RANGE = KeyGroupRange.of(0, 9);

    @TempDir java.nio.file.Path root;

    private LocalBackup backup;

    @BeforeEach
    void createBackup() {
        backup =
                LocalBackup.of(
                        LocalRecoveryConfig.backupAndRecoveryEnabled(
                                new LocalSnapshotDirectoryProviderImpl(
                                        root.toFile(), new JobID(), new JobVertexID(), 0)));
    }

    @Test
    void noBackupUnlessLocalBackupIsEnabled() {
        assertThat(LocalBackup.of(LocalRecoveryConfig.BACKUP_AND_RECOVERY_DISABLED)).isNull();
    }

    @Test
    void aCopyHoldsItsSegmentAndManifestAndLinksEarlierSegments() throws Exception {
        IncrementalLocalKeyedStateHandle first = copy(1, "segment-a", List.of());
        IncrementalLocalKeyedStateHandle second = copy(2, "segment-b", List.of("segment-a"));

        java.nio.file.Path firstDir = first.getDirectoryStateHandle().getDirectory();
        java.nio.file.Path secondDir = second.getDirectoryStateHandle().getDirectory();
        assertThat(secondDir.resolve("segment-b")).hasContent("bytes of segment-b");
        assertThat(Files.isSameFile(firstDir.resolve("segment-a"), secondDir.resolve("segment-a")))
                .as("segment-a linked, not copied")
                .isTrue();
        assertThat(second.getSharedStateHandles())
                .extracting(HandleAndLocalPath::getLocalPath)
                .containsExactly("segment-b", "segment-a");

        // Flink's TaskLocalStateStore discards the first copy once the second is confirmed.
        backup.confirmed(2);
        first.discardState();
        assertThat(firstDir).doesNotExist();
        assertThat(secondDir.resolve("segment-a")).hasContent("bytes of segment-a");
        IncrementalLocalKeyedStateHandle third = copy(3, null, List.of("segment-a", "segment-b"));
        assertThat(third).isNotNull();
    }

    @Test
    void aCopyMissingAnEarlierSegmentIsDropped() throws Exception {
        IncrementalLocalKeyedStateHandle first = copy(1, "segment-a", List.of());
        Files.delete(first.getDirectoryStateHandle().getDirectory().resolve("segment-a"));

        LocalSnapshotCopy copy = backup.open(2);
        copy.writeManifest(out -> out.writeUTF("manifest"));
        IncrementalLocalKeyedStateHandle second =
                copy.complete(BACKEND, RANGE, shared(List.of("segment-a")), null);

        assertThat(second).isNull();
        assertThat(directoriesOf(2)).as("copies of checkpoint 2").isEmpty();
    }

    /**
     * Checkpoint 2 rewrote everything (no longer referencing segment-a) and was aborted: checkpoint
     * 3 builds on confirmed checkpoint 1 again and still finds segment-a in its copy.
     */
    @Test
    void aCopyAfterAnAbortedCheckpointLinksFromTheConfirmedOne() throws Exception {
        copy(1, "segment-a", List.of());
        backup.confirmed(1);
        IncrementalLocalKeyedStateHandle aborted = copy(2, "segment-b", List.of());
        backup.aborted(2);
        aborted.discardState();

        IncrementalLocalKeyedStateHandle next = copy(3, "segment-c", List.of("segment-a"));
        assertThat(next.getDirectoryStateHandle().getDirectory().resolve("segment-a"))
                .hasContent("bytes of segment-a");
    }

    @Test
    void restoreReadsOnlyAnIntactManifestAndExistingSegments() throws Exception {
        IncrementalLocalKeyedStateHandle handle = copy(1, "segment-a", List.of());
        assertThat(LocalCopyFiles.verifiedManifest(handle).asBytesIfInMemory())
                .hasValueSatisfying(
                        bytes ->
                                assertThat(new String(bytes, 2, 8, StandardCharsets.UTF_8))
                                        .isEqualTo("manifest"));
        assertThat(LocalCopyFiles.segment(handle, "segment-a").getStateSize())
                .isEqualTo("bytes of segment-a".length());

        java.nio.file.Path manifest =
                java.nio.file.Path.of(
                        ((FileStateHandle) handle.getMetaDataStateHandle()).getFilePath().toUri());
        byte[] bytes = Files.readAllBytes(manifest);
        bytes[bytes.length - 1] ^= 1;
        Files.write(manifest, bytes);
        assertThatThrownBy(() -> LocalCopyFiles.verifiedManifest(handle))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Local manifest " + manifest + " is corrupt: CRC32C is");

        java.nio.file.Path segment =
                handle.getDirectoryStateHandle().getDirectory().resolve("segment-a");
        Files.delete(segment);
        assertThatThrownBy(() -> LocalCopyFiles.segment(handle, "segment-a"))
                .isInstanceOf(IOException.class)
                .hasMessage("Local segment " + segment + " is missing");
    }

    @Test
    void downloadedRangesAreKeptAtTheirOffsetsUntilNoCopyReferencesThem() throws Exception {
        RestoredSegments downloads = backup.keepDownloads(7);
        downloads.write("segment-r", 4, new byte[] {1, 2});
        downloads.write("segment-r", 0, new byte[] {9});
        java.nio.file.Path directory = downloads.finish();
        assertThat(Files.readAllBytes(directory.resolve("segment-r")))
                .containsExactly(9, 0, 0, 0, 1, 2);
        backup.restored(7, Map.of("segment-r", directory.resolve("segment-r")), downloads);

        IncrementalLocalKeyedStateHandle linked = copy(8, "segment-s", List.of("segment-r"));
        assertThat(linked.getDirectoryStateHandle().getDirectory().resolve("segment-r"))
                .hasBinaryContent(new byte[] {9, 0, 0, 0, 1, 2});
        copy(9, "segment-t", List.of("segment-s"));
        backup.confirmed(8);
        assertThat(directory.resolve("segment-r"))
                .as("a download that the confirmed copy references")
                .exists();
        backup.confirmed(9);
        assertThat(directory.resolve("segment-r"))
                .as("a download no copy references any more")
                .doesNotExist();

        backup.dispose();
        assertThat(directory).doesNotExist();
    }

    /** A complete copy of checkpoint {@code id}: its new segment (if any) and earlier ones. */
    private IncrementalLocalKeyedStateHandle copy(long id, String newSegment, List<String> earlier)
            throws IOException {
        LocalSnapshotCopy copy = backup.open(id);
        List<String> names = new ArrayList<>();
        if (newSegment != null) {
            // Not closed here: completing the copy closes it, as in a snapshot.
            OutputStream out = copy.segmentStream(newSegment);
            out.write(("bytes of " + newSegment).getBytes(StandardCharsets.UTF_8));
            names.add(newSegment);
        }
        names.addAll(earlier);
        copy.writeManifest(out -> out.writeUTF("manifest"));
        IncrementalLocalKeyedStateHandle handle =
                copy.complete(BACKEND, RANGE, shared(names), newSegment);
        assertThat(handle).as("local copy of checkpoint %d", id).isNotNull();
        return handle;
    }

    private static List<HandleAndLocalPath> shared(List<String> names) {
        List<HandleAndLocalPath> shared = new ArrayList<>();
        for (String name : names) {
            StreamStateHandle remote = new FileStateHandle(new Path("s3://b/shared/" + name), 1);
            shared.add(HandleAndLocalPath.of(remote, name));
        }
        return shared;
    }

    private List<java.nio.file.Path> directoriesOf(long checkpointId) throws IOException {
        try (var all = Files.walk(root)) {
            return all.filter(p -> p.getFileName().toString().startsWith("incremental-heap-"))
                    .filter(
                            p ->
                                    p.getParent()
                                            .getFileName()
                                            .toString()
                                            .equals("chk_" + checkpointId))
                    .collect(java.util.stream.Collectors.toList());
        }
    }
}
