package io.flinkrecovery.benchmarks;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;

/**
 * The files one benchmark run writes into the results directory, all named {@code
 * <yyyy-MM-dd>[-name]} with a {@code -2}, {@code -3}... appended when an earlier run took that
 * name: the text report ({@code .txt}, what the run printed), every figure as JSON ({@code .json})
 * and the chart ({@code .svg}).
 */
final class ResultFiles {

    private final Path base;

    private ResultFiles(Path base) {
        this.base = base;
    }

    /** The first free base name for a run of {@code date} in {@code directory}. */
    static ResultFiles choose(Path directory, LocalDate date, String name) throws IOException {
        Files.createDirectories(directory);
        String stem = date + (name == null || name.isEmpty() ? "" : "-" + name);
        for (int n = 1; ; n++) {
            Path base = directory.resolve(n == 1 ? stem : stem + "-" + n);
            ResultFiles files = new ResultFiles(base);
            if (!Files.exists(files.text())
                    && !Files.exists(files.json())
                    && !Files.exists(files.chart())) {
                return files;
            }
        }
    }

    Path text() {
        return sibling(".txt");
    }

    Path json() {
        return sibling(".json");
    }

    Path chart() {
        return sibling(".svg");
    }

    /**
     * A stream that prints to {@code console} and to the text file; closing it closes the file
     * only.
     */
    PrintStream teeText(PrintStream console) throws IOException {
        OutputStream file = Files.newOutputStream(text());
        OutputStream both =
                new OutputStream() {
                    @Override
                    public void write(int b) throws IOException {
                        console.write(b);
                        file.write(b);
                    }

                    @Override
                    public void write(byte[] bytes, int offset, int length) throws IOException {
                        console.write(bytes, offset, length);
                        file.write(bytes, offset, length);
                    }

                    @Override
                    public void flush() throws IOException {
                        console.flush();
                        file.flush();
                    }

                    @Override
                    public void close() throws IOException {
                        flush();
                        file.close();
                    }
                };
        return new PrintStream(both, true, StandardCharsets.UTF_8);
    }

    private Path sibling(String extension) {
        return base.resolveSibling(base.getFileName() + extension);
    }
}
