package io.flinkrecovery.it.cluster;

import io.flinkrecovery.it.AllStatesClusterJob;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;

import static org.assertj.core.api.Assertions.assertThat;

class JobJarTest {

    @Test
    void holdsTheGivenClassesWithTheirNestedClassesAndAMainClass(@TempDir Path dir)
            throws Exception {
        Path jar = dir.resolve("job.jar");

        List<String> entries =
                JobJar.write(jar, AllStatesClusterJob.class, AllStatesClusterJob.jobClasses());

        assertThat(entries)
                .contains(
                        "io/flinkrecovery/it/AllStatesClusterJob.class",
                        "io/flinkrecovery/it/AllStatesJob.class",
                        "io/flinkrecovery/it/AllStatesJob$AllStates.class",
                        "io/flinkrecovery/it/Summary$Kind.class",
                        "io/flinkrecovery/examples/totals/Event.class")
                .doesNotContain("io/flinkrecovery/it/AllStatesModel.class")
                .allMatch(entry -> entry.endsWith(".class"));
        try (JarFile file = new JarFile(jar.toFile())) {
            assertThat(file.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo(AllStatesClusterJob.class.getName());
            assertThat(file.stream().filter(entry -> entry.getName().endsWith(".class")))
                    .hasSize(entries.size());
        }
    }
}
