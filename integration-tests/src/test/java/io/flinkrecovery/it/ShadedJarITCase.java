package io.flinkrecovery.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The jar that goes into Flink's {@code lib/} holds only our classes and relocated third-party
 * classes, bundles no logging, and names no missing class in its service files.
 */
class ShadedJarITCase {

    private static final String OURS = "io/flinkrecovery/";
    private static final String RELOCATED = "io/flinkrecovery/shaded/";

    /** Our classes in Flink's heap package (see their javadoc), with their nested classes. */
    private static final List<String> IN_FLINKS_HEAP_PACKAGE =
            List.of(
                    "org/apache/flink/runtime/state/heap/WriteReportingStateMap",
                    "org/apache/flink/runtime/state/heap/SnapshotLookup",
                    "org/apache/flink/runtime/state/heap/DeferredStateMap");

    private static Path jar;

    @BeforeAll
    static void findJar() {
        jar = Paths.get(System.getProperty("flinkrecovery.shaded.jar", "missing"));
        assertThat(jar).as("run `mvn package` first").exists();
    }

    @Test
    void everyClassIsOursOrRelocated() throws IOException {
        List<String> foreign = new ArrayList<>();
        List<String> ours = new ArrayList<>();
        Set<String> relocatedRoots = new TreeSet<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            for (Enumeration<JarEntry> e = file.entries(); e.hasMoreElements(); ) {
                String name = e.nextElement().getName();
                if (!name.endsWith(".class") || name.endsWith("module-info.class")) {
                    continue;
                }
                String path =
                        name.startsWith("META-INF/versions/")
                                ? name.replaceFirst("META-INF/versions/\\d+/", "")
                                : name;
                if (IN_FLINKS_HEAP_PACKAGE.stream().anyMatch(path::startsWith)) {
                    ours.add(path);
                } else if (!path.startsWith(OURS)) {
                    foreign.add(name);
                } else if (path.startsWith(RELOCATED)) {
                    String rest = path.substring(RELOCATED.length());
                    String[] packages = rest.split("/");
                    relocatedRoots.add(
                            packages.length > 2 ? packages[0] + "/" + packages[1] : packages[0]);
                }
            }
        }
        assertThat(foreign).as("third-party classes that are not relocated").isEmpty();
        for (String name : IN_FLINKS_HEAP_PACKAGE) {
            assertThat(ours).contains(name + ".class");
        }
        assertThat(relocatedRoots).contains("software/amazon", "org/apache", "picocli");
    }

    @Test
    void bundlesNoLoggingImplementationOrApi() throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            assertThat(file.stream().map(JarEntry::getName))
                    .noneMatch(n -> n.contains("slf4j") && n.endsWith(".class"))
                    .noneMatch(n -> n.contains("log4j") && n.endsWith(".class"))
                    .noneMatch(n -> n.contains("logback"));
        }
    }

    @Test
    void serviceFilesNameClassesThatExist() throws IOException {
        List<String> missing = new ArrayList<>();
        List<String> services = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            for (Enumeration<JarEntry> e = file.entries(); e.hasMoreElements(); ) {
                JarEntry entry = e.nextElement();
                if (!entry.getName().startsWith("META-INF/services/") || entry.isDirectory()) {
                    continue;
                }
                services.add(entry.getName());
                String service = entry.getName().substring("META-INF/services/".length());
                if (!service.startsWith("org.apache.flink.")) {
                    assertThat(service)
                            .as("relocated service interface")
                            .startsWith("io.flinkrecovery.");
                }
                try (BufferedReader reader =
                        new BufferedReader(
                                new InputStreamReader(
                                        file.getInputStream(entry), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = reader.readLine()) != null) {
                        String impl = line.replaceAll("#.*", "").trim();
                        if (!impl.isEmpty()
                                && file.getEntry(impl.replace('.', '/') + ".class") == null) {
                            missing.add(entry.getName() + " -> " + impl);
                        }
                    }
                }
            }
        }
        assertThat(services)
                .contains("META-INF/services/org.apache.flink.core.fs.FileSystemFactory");
        assertThat(missing).as("service entries naming classes absent from the jar").isEmpty();
    }

    @Test
    void jarIsSmallEnoughForLib() throws IOException {
        assertThat(Files.size(jar)).isLessThan(40L * 1024 * 1024);
    }
}
