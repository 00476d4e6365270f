package io.flinkrecovery.backend;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.StateBackendLoader;

import io.flinkrecovery.config.BackendOptions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Selection by configuration, the capabilities Flink checks, and eager option validation. */
class IncrementalHeapStateBackendFactoryTest {

    private final ClassLoader classLoader = getClass().getClassLoader();

    @Test
    void stateBackendTypeSelectsTheBackendWithItsOptions() throws Exception {
        Configuration config = new Configuration();
        config.set(
                StateBackendOptions.STATE_BACKEND,
                IncrementalHeapStateBackendFactory.class.getName());
        config.set(BackendOptions.COMPACTION_MAX_DELTAS, 12);
        config.set(BackendOptions.RESTORE_THREADS, 2);

        StateBackend backend =
                StateBackendLoader.loadStateBackendFromConfig(config, classLoader, null);

        assertThat(backend).isInstanceOf(IncrementalHeapStateBackend.class);
        BackendSettings settings = ((IncrementalHeapStateBackend) backend).getSettings();
        assertThat(settings.maxDeltas()).isEqualTo(12);
        assertThat(settings.restoreThreads()).isEqualTo(2);
        assertThat(settings.maxSpaceAmplification()).isEqualTo(2.0);
        assertThat(backend.supportsNoClaimRestoreMode()).isTrue();
        assertThat(backend.supportsSavepointFormat(SavepointFormatType.CANONICAL)).isTrue();
        assertThat(backend.supportsSavepointFormat(SavepointFormatType.NATIVE)).isTrue();
    }

    @Test
    void invalidOptionsFailEagerlyNamingKeyAndValue() {
        assertThatThrownBy(() -> configure(BackendOptions.COMPACTION_MAX_DELTAS.key(), "0"))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessage("Invalid recovery.backend.compaction.max-deltas: 0 (must be ≥ 1)");
        assertThatThrownBy(
                        () ->
                                configure(
                                        BackendOptions.COMPACTION_MAX_SPACE_AMPLIFICATION.key(),
                                        "1.0"))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessage(
                        "Invalid recovery.backend.compaction.max-space-amplification: 1.0"
                                + " (must be between 1.1 and 100.0)");
        assertThatThrownBy(() -> configure(BackendOptions.RESTORE_THREADS.key(), "0"))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessage(
                        "Invalid recovery.backend.restore.threads: 0 (must be between 1 and 256)");
    }

    private void configure(String key, String value) {
        Configuration config = new Configuration();
        config.setString(key, value);
        new IncrementalHeapStateBackendFactory().createFromConfig(config, classLoader);
    }
}
