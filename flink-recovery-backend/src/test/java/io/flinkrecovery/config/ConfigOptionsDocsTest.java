package io.flinkrecovery.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.configuration.description.HtmlFormatter;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every option has a description, lives under {@code recovery.} (or is one of Flink's standard
 * {@code s3.} keys), and appears in {@code docs/config.md} exactly as rendered here. Regenerate the
 * page with {@code mvn test -pl flink-recovery-backend -Dtest=ConfigOptionsDocsTest
 * -Dflinkrecovery.docs.update=true}.
 */
class ConfigOptionsDocsTest {

    /** Every *Options class; adding one without listing it here fails {@link #listsAllClasses}. */
    static final List<Class<?>> RECOVERY_OPTION_CLASSES =
            List.of(
                    S3Options.class,
                    StorageOptions.class,
                    RestoreOptions.class,
                    BackendOptions.class);

    static final Path DOCS = Paths.get("..", "docs", "config.md");

    @Test
    void everyOptionHasADescriptionAndTheRecoveryPrefix() throws Exception {
        for (Class<?> options : RECOVERY_OPTION_CLASSES) {
            for (ConfigOption<?> option : optionsOf(options)) {
                assertThat(option.key()).as(options.getSimpleName()).startsWith("recovery.");
                assertThat(describe(option)).as(option.key()).isNotBlank();
            }
        }
        for (ConfigOption<?> option : optionsOf(S3ConnectionOptions.class)) {
            assertThat(option.key()).startsWith("s3.");
            assertThat(describe(option)).as(option.key()).isNotBlank();
        }
    }

    @Test
    void optionsClassesHoldOnlyConfigOptions() {
        List<Class<?>> all = new ArrayList<>(RECOVERY_OPTION_CLASSES);
        all.add(S3ConnectionOptions.class);
        for (Class<?> options : all) {
            for (Field field : options.getDeclaredFields()) {
                assertThat(field.getType())
                        .as(options.getSimpleName() + "." + field.getName())
                        .isEqualTo(ConfigOption.class);
                assertThat(
                                Modifier.isStatic(field.getModifiers())
                                        && Modifier.isFinal(field.getModifiers()))
                        .as(field.getName())
                        .isTrue();
            }
        }
    }

    @Test
    void listsAllClasses() throws IOException {
        try (var files =
                Files.list(Paths.get("src", "main", "java", "io", "flinkrecovery", "config"))) {
            List<String> onDisk =
                    files.map(f -> f.getFileName().toString().replace(".java", ""))
                            .filter(n -> n.endsWith("Options") && !n.equals("S3ConnectionOptions"))
                            .sorted()
                            .collect(Collectors.toList());
            List<String> listed =
                    RECOVERY_OPTION_CLASSES.stream()
                            .map(Class::getSimpleName)
                            .sorted()
                            .collect(Collectors.toList());
            assertThat(listed).isEqualTo(onDisk);
        }
    }

    @Test
    void docsPageMatchesTheOptions() throws Exception {
        String rendered = render();
        if (Boolean.getBoolean("flinkrecovery.docs.update")) {
            Files.write(DOCS, rendered.getBytes(StandardCharsets.UTF_8));
        }
        assertThat(DOCS).exists();
        assertThat(new String(Files.readAllBytes(DOCS), StandardCharsets.UTF_8))
                .as("docs/config.md is stale; regenerate it (see this test's javadoc)")
                .isEqualTo(rendered);
    }

    static String render() throws IllegalAccessException {
        StringBuilder out = new StringBuilder();
        out.append("# Configuration\n\n")
                .append(
                        "Generated from the `*Options` classes by `ConfigOptionsDocsTest`; do not edit by hand.\n");
        section(out, "S3 connection (Flink's standard keys)", S3ConnectionOptions.class);
        for (Class<?> options : RECOVERY_OPTION_CLASSES) {
            section(out, options.getSimpleName(), options);
        }
        return out.toString();
    }

    private static void section(StringBuilder out, String title, Class<?> options)
            throws IllegalAccessException {
        out.append("\n## ").append(title).append("\n\n");
        out.append("| key | default | type | description |\n|---|---|---|---|\n");
        for (ConfigOption<?> option : optionsOf(options)) {
            StringBuilder key = new StringBuilder("`" + option.key() + "`");
            for (FallbackKey fallback : option.fallbackKeys()) {
                key.append("<br>(or `").append(fallback.getKey()).append("`)");
            }
            Object def = option.hasDefaultValue() ? option.defaultValue() : null;
            out.append("| ")
                    .append(key)
                    .append(" | ")
                    .append(def == null ? "(none)" : "`" + def + "`")
                    .append(" | ")
                    .append(typeName(option))
                    .append(" | ")
                    .append(describe(option).replace("|", "\\|"))
                    .append(" |\n");
        }
    }

    private static String describe(ConfigOption<?> option) {
        return new HtmlFormatter().format(option.description());
    }

    private static String typeName(ConfigOption<?> option) {
        try {
            var method = ConfigOption.class.getDeclaredMethod("getClazz");
            method.setAccessible(true);
            return ((Class<?>) method.invoke(option)).getSimpleName();
        } catch (ReflectiveOperationException e) {
            return "";
        }
    }

    static List<ConfigOption<?>> optionsOf(Class<?> options) throws IllegalAccessException {
        List<ConfigOption<?>> result = new ArrayList<>();
        for (Field field : options.getDeclaredFields()) {
            if (field.getType() == ConfigOption.class) {
                result.add((ConfigOption<?>) field.get(null));
            }
        }
        return result;
    }
}
