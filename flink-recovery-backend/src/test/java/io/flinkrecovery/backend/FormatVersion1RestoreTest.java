package io.flinkrecovery.backend;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.runtime.state.IncrementalKeyedStateHandle.HandleAndLocalPath;
import org.apache.flink.runtime.state.IncrementalRemoteKeyedStateHandle;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.memory.ByteStreamStateHandle;

import io.flinkrecovery.backend.snapshot.BlockCompression;
import io.flinkrecovery.backend.snapshot.Manifest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A checkpoint written before block compression (manifest version 1, checked in under {@code
 * format-v1/}, see its README) restores, and a compressed checkpoint extends its chains.
 */
class FormatVersion1RestoreTest {

    private static final ValueStateDescriptor<String> VALUE =
            new ValueStateDescriptor<>("value", StringSerializer.INSTANCE);
    private static final int KEYS = 1_000;

    @TempDir Path dir;
    private final List<IncrementalHeapKeyedStateBackend<Integer>> backends = new ArrayList<>();
    private BackendHarness harness;

    @AfterEach
    void tearDown() throws Exception {
        for (IncrementalHeapKeyedStateBackend<Integer> backend : backends) {
            backend.close();
            backend.dispose();
        }
        harness.close();
    }

    @Test
    void version1CheckpointRestoresAndCompressedDeltasExtendItsChains() throws Exception {
        harness = new BackendHarness(dir);
        IncrementalRemoteKeyedStateHandle old = checkedInCheckpoint();
        harness.register(old, 2);
        harness.setSnapshotCompression(true);

        IncrementalHeapKeyedStateBackend<Integer> restored = track(harness.restore(old));

        Map<Integer, String> expected = new HashMap<>();
        for (int key = 0; key < KEYS; key++) {
            if (key < 50) {
                expected.put(key, "delta-" + key);
            } else if (key >= 60) {
                expected.put(key, "base-" + key);
            }
        }
        assertThat(read(restored)).isEqualTo(expected);

        ValueState<String> state = value(restored);
        for (int key = 0; key < KEYS; key += 2) {
            String v = "compressed-" + "a-long-and-repetitive-value-".repeat(4) + key;
            restored.setCurrentKey(key);
            state.update(v);
            expected.put(key, v);
        }
        IncrementalRemoteKeyedStateHandle next = harness.checkpoint(restored, 3);

        Manifest manifest =
                Manifest.read(next.getMetaDataStateHandle(), getClass().getClassLoader());
        assertThat(manifest.chains())
                .anySatisfy(
                        chain -> {
                            assertThat(chain).hasSizeGreaterThan(1);
                            assertThat(chain.get(0).compression()).isEqualTo(BlockCompression.NONE);
                            assertThat(chain.get(chain.size() - 1).compression())
                                    .isEqualTo(BlockCompression.SNAPPY);
                        });
        assertThat(BackendHarness.segments(next)).containsAll(BackendHarness.segments(old));
        assertThat(read(track(harness.restore(next)))).isEqualTo(expected);
    }

    /** The checked-in checkpoint as its handle: manifest and segments inlined. */
    private static IncrementalRemoteKeyedStateHandle checkedInCheckpoint() throws IOException {
        List<HandleAndLocalPath> shared = new ArrayList<>();
        String names = new String(resource("segments"), StandardCharsets.UTF_8);
        for (String segment : names.trim().split("\n")) {
            shared.add(
                    HandleAndLocalPath.of(
                            new ByteStreamStateHandle("format-v1-" + segment, resource(segment)),
                            segment));
        }
        ByteStreamStateHandle manifest =
                new ByteStreamStateHandle("format-v1-manifest", resource("manifest"));
        return new IncrementalRemoteKeyedStateHandle(
                UUID.randomUUID(),
                new KeyGroupRange(0, BackendHarness.MAX_PARALLELISM - 1),
                2,
                shared,
                List.of(),
                manifest,
                manifest.getStateSize());
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in =
                FormatVersion1RestoreTest.class.getResourceAsStream("/format-v1/" + name)) {
            return Objects.requireNonNull(in, name).readAllBytes();
        }
    }

    private IncrementalHeapKeyedStateBackend<Integer> track(
            IncrementalHeapKeyedStateBackend<Integer> backend) {
        backends.add(backend);
        return backend;
    }

    private static ValueState<String> value(IncrementalHeapKeyedStateBackend<Integer> backend)
            throws Exception {
        return backend.getPartitionedState(
                VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, VALUE);
    }

    private static Map<Integer, String> read(IncrementalHeapKeyedStateBackend<Integer> backend)
            throws Exception {
        ValueState<String> state = value(backend);
        Map<Integer, String> result = new HashMap<>();
        for (int key = 0; key < KEYS; key++) {
            backend.setCurrentKey(key);
            if (state.value() != null) {
                result.put(key, state.value());
            }
        }
        return result;
    }
}
