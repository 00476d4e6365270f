package io.flinkrecovery.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Headless Chromium, Debian's {@code chromium} package (installed by {@code bin/setup}), run as a
 * process of its own per page: {@code --dump-dom} for the DOM after scripts ran, {@code
 * --screenshot} for a PNG. Each run gets a fresh profile under {@code target/} and is killed (by
 * its own handle) if it outlives its timeout.
 */
final class Chromium {

    private static final long TIMEOUT_SECONDS = 60;

    private final Path binary;
    private final Path workDir;
    private int runs;

    private Chromium(Path binary, Path workDir) {
        this.binary = binary;
        this.workDir = workDir;
    }

    /** The installed Chromium; fails, naming the fix, where there is none. */
    static Chromium find(Path workDir) {
        for (String candidate :
                List.of(
                        "/usr/bin/chromium",
                        "/usr/bin/chromium-browser",
                        "/usr/bin/google-chrome")) {
            Path path = Path.of(candidate);
            if (Files.isExecutable(path)) {
                return new Chromium(path, workDir);
            }
        }
        throw new AssertionError(
                "No headless Chromium (/usr/bin/chromium): run bin/setup, or apt-get install"
                        + " chromium");
    }

    /** The DOM of {@code page} once it loaded and its scripts ran. */
    String dumpDom(Path page) throws IOException, InterruptedException {
        return run(page, "--virtual-time-budget=10000", "--dump-dom");
    }

    /** A PNG of {@code page} at the given window size. */
    void screenshot(Path page, Path png, int width, int height)
            throws IOException, InterruptedException {
        Files.deleteIfExists(png);
        run(page, "--window-size=" + width + "," + height, "--screenshot=" + png.toAbsolutePath());
        if (!Files.exists(png)) {
            throw new AssertionError("Chromium wrote no screenshot " + png);
        }
    }

    private String run(Path page, String... options) throws IOException, InterruptedException {
        int run = ++runs;
        Files.createDirectories(workDir);
        Path stdout = workDir.resolve("chromium-" + run + ".out");
        Path stderr = workDir.resolve("chromium-" + run + ".log");
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.add("--headless");
        // As root (CI) Chromium refuses to start with its sandbox.
        command.add("--no-sandbox");
        command.add("--disable-gpu");
        command.add("--no-first-run");
        command.add("--hide-scrollbars");
        // The check page reads the report in an iframe: file:// pages are each their own origin.
        command.add("--allow-file-access-from-files");
        command.add("--user-data-dir=" + workDir.resolve("profile-" + run).toAbsolutePath());
        command.addAll(List.of(options));
        command.add(page.toAbsolutePath().toUri().toString());
        Process process =
                new ProcessBuilder(command)
                        .redirectOutput(stdout.toFile())
                        .redirectError(stderr.toFile())
                        .start();
        try {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError(
                        "Chromium did not finish within " + TIMEOUT_SECONDS + " s; log " + stderr);
            }
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        if (process.exitValue() != 0) {
            throw new AssertionError(
                    "Chromium exited with " + process.exitValue() + "; log " + stderr);
        }
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }
}
