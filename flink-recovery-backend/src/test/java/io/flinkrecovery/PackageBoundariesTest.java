package io.flinkrecovery;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Only {@code objectstore.s3} may talk to the AWS SDK; everything else sees {@code ObjectStore}.
 */
class PackageBoundariesTest {

    private static final Path SOURCES = Paths.get("src", "main", "java", "io", "flinkrecovery");

    @Test
    void onlyTheS3PackageImportsTheAwsSdk() throws IOException {
        assertThat(sourcesImporting("software.amazon"))
                .isNotEmpty()
                .allMatch(file -> file.contains("/objectstore/s3/"));
    }

    private static List<String> sourcesImporting(String prefix) throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            return files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> imports(f, prefix))
                    .map(f -> f.toString().replace('\\', '/'))
                    .collect(Collectors.toList());
        }
    }

    private static boolean imports(Path file, String prefix) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .anyMatch(line -> line.startsWith("import " + prefix));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
