package io.flinkrecovery.it.cluster;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Writes a job jar as a user's build would: the job's own classes (each given class with its nested
 * classes) and a {@code Main-Class}, and nothing of Flink or of our plugin, which the cluster has
 * in {@code lib/}.
 */
final class JobJar {

    private JobJar() {}

    /** Writes {@code jar}; returns the names of the entries it holds. */
    static List<String> write(Path jar, Class<?> mainClass, List<Class<?>> classes)
            throws IOException {
        TreeMap<String, byte[]> entries = new TreeMap<>();
        for (Class<?> type : classes) {
            entries.putAll(classFiles(type));
        }
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, mainClass.getName());
        Files.createDirectories(jar.getParent());
        try (OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file, manifest)) {
            for (var entry : entries.entrySet()) {
                out.putNextEntry(new JarEntry(entry.getKey()));
                out.write(entry.getValue());
                out.closeEntry();
            }
        }
        return new ArrayList<>(entries.keySet());
    }

    /** The class file of {@code type} and those of its nested classes, by entry name. */
    private static TreeMap<String, byte[]> classFiles(Class<?> type) throws IOException {
        String name = type.getName().replace('.', '/');
        String prefix = name.substring(name.lastIndexOf('/') + 1);
        TreeMap<String, byte[]> files = new TreeMap<>();
        Path source;
        try {
            source = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IOException("Cannot locate the class files of " + type, e);
        }
        if (Files.isDirectory(source)) {
            Path dir = source.resolve(name).getParent();
            try (Stream<Path> siblings = Files.list(dir)) {
                for (Path file : siblings.toList()) {
                    String fileName = file.getFileName().toString();
                    if (isClassOrNested(fileName, prefix)) {
                        files.put(source.relativize(file).toString(), Files.readAllBytes(file));
                    }
                }
            }
        } else {
            String dir = name.substring(0, name.lastIndexOf('/') + 1);
            try (JarFile jar = new JarFile(source.toFile())) {
                for (JarEntry entry : jar.stream().toList()) {
                    String entryName = entry.getName();
                    if (entryName.startsWith(dir)
                            && entryName.indexOf('/', dir.length()) < 0
                            && isClassOrNested(entryName.substring(dir.length()), prefix)) {
                        files.put(entryName, jar.getInputStream(entry).readAllBytes());
                    }
                }
            }
        }
        if (files.isEmpty()) {
            throw new IOException("No class file of " + type + " in " + source);
        }
        return files;
    }

    private static boolean isClassOrNested(String fileName, String simpleName) {
        return fileName.equals(simpleName + ".class")
                || (fileName.startsWith(simpleName + "$") && fileName.endsWith(".class"));
    }
}
