package io.flinkrecovery.it.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Copies files kept next to these classes, such as logging configurations, into a run. */
final class Resources {

    private Resources() {}

    static void copy(String name, Path target) throws IOException {
        try (InputStream in = Resources.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("Missing resource " + name + " next to " + Resources.class);
            }
            Files.createDirectories(target.getParent());
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
