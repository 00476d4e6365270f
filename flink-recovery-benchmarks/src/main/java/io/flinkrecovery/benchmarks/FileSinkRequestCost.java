package io.flinkrecovery.benchmarks;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.minicluster.MiniCluster;

import io.flinkrecovery.fs.S3FileSystem;
import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectStore;
import io.flinkrecovery.objectstore.RequestCounters;
import io.flinkrecovery.objectstore.RequestKind;
import io.flinkrecovery.objectstore.s3.S3ClientSettings;
import io.flinkrecovery.objectstore.s3.S3ObjectStores;
import io.flinkrecovery.testing.EmbeddedS3Server;
import io.flinkrecovery.testing.RecordedRequest.Kind;
import io.flinkrecovery.testing.RequestCounts;

import java.io.PrintStream;
import java.net.URI;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

/**
 * Requests per committed file of Flink's {@code FileSink} on {@code s3://}: the same jobs written
 * once through our file system and once through each of Flink's S3 file system plugins, counted by
 * the S3 server, which sees every request of every client. Prints one table of requests per
 * committed file by kind, bytes, and ours over each of theirs, then checks that every run committed
 * the same rows, each exactly once, and that the server counted what our own client counters did.
 *
 * <p>{@code bin/benchmark sink [--file-systems ours,hadoop,native,presto] [--checkpoints N] …};
 * {@code --help} lists the options.
 */
public final class FileSinkRequestCost {

    private static final String BUCKET = "sink-benchmark";

    /** Runs of a workload and file system, until one has no failed checkpoint. */
    private static final int ATTEMPTS = 3;

    /** Columns of requests per file, always shown: what the issue asks about. */
    private static final Map<String, ToLongFunction<RequestCounts>> MAIN_COLUMNS =
            new LinkedHashMap<>();

    /** Columns shown only when some run sent such requests. */
    private static final Map<String, ToLongFunction<RequestCounts>> OTHER_COLUMNS =
            new LinkedHashMap<>();

    static {
        MAIN_COLUMNS.put("PUT", c -> c.count(Kind.PUT_OBJECT));
        MAIN_COLUMNS.put("part", c -> c.count(Kind.UPLOAD_PART));
        MAIN_COLUMNS.put("create", c -> c.count(Kind.CREATE_MULTIPART));
        MAIN_COLUMNS.put("complete", c -> c.count(Kind.COMPLETE_MULTIPART));
        MAIN_COLUMNS.put("abort", c -> c.count(Kind.ABORT_MULTIPART));
        MAIN_COLUMNS.put("HEAD", c -> c.count(Kind.HEAD_OBJECT));
        MAIN_COLUMNS.put("LIST", c -> c.count(Kind.LIST));
        OTHER_COLUMNS.put("GET", c -> c.count(Kind.GET_OBJECT));
        OTHER_COLUMNS.put("DELETE", c -> c.count(Kind.DELETE));
        OTHER_COLUMNS.put("COPY", c -> c.count(Kind.COPY_OBJECT));
        OTHER_COLUMNS.put("other", c -> c.count(Kind.OTHER));
    }

    private final SinkBenchmarkOptions options;
    private final PrintStream out;
    private final long startNanos = System.nanoTime();

    private FileSinkRequestCost(SinkBenchmarkOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static void main(String[] args) {
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty(
                    "log4j2.configurationFile", "flink-recovery-sink-benchmark-log4j2.properties");
        }
        // flink-s3-fs-presto's AWS SDK v1 prints a deprecation notice with a stack trace.
        System.setProperty("aws.java.v1.disableDeprecationAnnouncement", "true");
        SinkBenchmarkOptions options = SinkBenchmarkOptions.parseOrExit(args);
        int exitCode;
        try {
            List<String> problems = run(options, System.out).problems();
            exitCode = problems.isEmpty() ? 0 : 1;
        } catch (Throwable t) {
            System.err.println("The benchmark failed: " + t);
            t.printStackTrace();
            exitCode = 1;
        }
        // Flink, S3Proxy and the SDKs leave non-daemon threads behind; exit explicitly.
        System.exit(exitCode);
    }

    /** The runs of one program, and what their checks found. */
    record Report(List<SinkRun> runs, List<String> problems) {}

    /** Runs every workload through every file system, prints the tables, returns the runs. */
    static Report run(SinkBenchmarkOptions options, PrintStream out) throws Exception {
        return new FileSinkRequestCost(options, out).run();
    }

    private Report run() throws Exception {
        out.printf(
                "FileSink requests per committed file, %s%n",
                LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).substring(0, 19));
        out.printf(
                "Machine: %d cores, JVM %s; workload: %s%n",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"),
                options);
        FileSystemPlugins plugins = FileSystemPlugins.fromSystemProperty(options.fileSystems);
        List<SinkRun> runs = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        // In memory: S3Proxy's file-system store cannot hold a key and keys below it ("a" and
        // "a/b"), which real S3 and flink-s3-fs-native's writer do. Each run's objects are deleted
        // once checked.
        try (EmbeddedS3Server s3 = EmbeddedS3Server.startInMemory()) {
            s3.createBucket(BUCKET);
            Configuration base = Configuration.fromMap(s3.flinkConfig());
            BenchmarkCluster.useOwnClassLoader(base);
            // Every file system with the same part size: ours reads a memory size, Flink's a long.
            base.setString("recovery.s3.upload.part-size", String.valueOf(options.partSize));
            base.setString("s3.upload.min.part.size", String.valueOf(options.partSize));
            ObjectStore verifier = S3ObjectStores.forSettings(S3ClientSettings.fromConfig(base));
            try (MiniCluster cluster =
                    BenchmarkCluster.start(base, options.parallelism, options.checkpoints + 10)) {
                progress(
                        "S3 server at %s, MiniCluster with %d slots",
                        s3.endpoint(), options.parallelism);
                for (SinkWorkload workload : options.workloads()) {
                    for (SinkFileSystem fs : options.fileSystems) {
                        if (!plugins.has(fs)) {
                            progress("No %s plugin: skipped", fs.label());
                            continue;
                        }
                        String notHere = fs.cannotRunOnTheTestServer(workload);
                        if (notHere != null) {
                            skipped.add(
                                    workload.name() + " through " + fs.label() + ": " + notHere);
                            progress(
                                    "%s through %s: skipped, %s",
                                    workload.name(), fs.label(), notHere);
                            continue;
                        }
                        runs.add(measure(cluster, s3, plugins, base, verifier, workload, fs));
                    }
                }
            } finally {
                // Leave s3:// to ours again for whatever runs next in this JVM.
                FileSystem.initialize(base, null);
            }
        }
        printRequests(runs, skipped);
        printCrossCheck(runs);
        List<String> problems = problems(runs);
        out.println();
        if (problems.isEmpty()) {
            out.println("Checks: OK");
        } else {
            out.println("Checks: FAILED");
            problems.forEach(p -> out.println("  " + p));
        }
        return new Report(runs, problems);
    }

    private SinkRun measure(
            MiniCluster cluster,
            EmbeddedS3Server s3,
            FileSystemPlugins plugins,
            Configuration base,
            ObjectStore verifier,
            SinkWorkload workload,
            SinkFileSystem fs)
            throws Exception {
        String runId = workload.name() + "-" + fs.option();
        for (int attempt = 1; ; attempt++) {
            SinkRun run = measureOnce(cluster, s3, plugins, base, verifier, workload, fs, runId);
            if (run.failedCheckpoints() == 0 || attempt == ATTEMPTS) {
                return run;
            }
            // A checkpoint that failed may have persisted some files: not the same workload.
            progress("  %d checkpoints failed and were repeated: again", run.failedCheckpoints());
            runId = workload.name() + "-" + fs.option() + "-" + (attempt + 1);
        }
    }

    private SinkRun measureOnce(
            MiniCluster cluster,
            EmbeddedS3Server s3,
            FileSystemPlugins plugins,
            Configuration base,
            ObjectStore verifier,
            SinkWorkload workload,
            SinkFileSystem fs,
            String runId)
            throws Exception {
        Path out = new Path("s3://" + BUCKET + "/" + runId + "/out");
        String servedBy =
                plugins.use(fs, base, URI.create("s3://" + BUCKET + "/probe-" + fs.option()));
        progress("%s through %s (%s)", workload.name(), fs.label(), servedBy);
        RequestCounters ours =
                fs == SinkFileSystem.OURS
                        ? ((S3FileSystem) FileSystem.get(out.toUri())).objectStore().counters()
                        : null;
        RequestCounters.Snapshot before = ours == null ? null : ours.snapshot();
        long started = System.nanoTime();
        s3.requests().start();
        FileSinkJob.Outcome outcome;
        try {
            outcome = FileSinkJob.run(cluster, base, workload, options.parallelism, out, runId);
        } finally {
            s3.requests().stop();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        RequestCounts server = s3.requests().counts();
        RequestCounters.Snapshot client = ours == null ? null : ours.snapshot().minus(before);
        s3.requests().reset();

        SinkOutput output =
                SinkOutput.checkAndDelete(
                        verifier,
                        ObjectLocation.parse(out.toUri()).child(""),
                        workload.rows(options.parallelism),
                        workload.rowBytes());
        SinkRun run =
                new SinkRun(
                        workload,
                        options.parallelism,
                        fs,
                        servedBy,
                        outcome.failure().orElse(null),
                        outcome.failedCheckpoints(),
                        server,
                        client,
                        output,
                        seconds);
        if (run.finished()) {
            progress(
                    "  %d files committed in %.1f s, %d requests (%s), rows: %s",
                    output.committedFiles(), seconds, server.total(), server, output.rows());
        } else {
            progress("  failed after %.1f s: %s", seconds, run.failureSummary());
        }
        return run;
    }

    private void printRequests(List<SinkRun> runs, List<String> skipped) {
        List<String> others =
                OTHER_COLUMNS.keySet().stream()
                        .filter(
                                name ->
                                        runs.stream()
                                                .anyMatch(
                                                        r ->
                                                                OTHER_COLUMNS
                                                                                .get(name)
                                                                                .applyAsLong(
                                                                                        r.server())
                                                                        > 0))
                        .collect(Collectors.toList());
        List<String> header = new ArrayList<>(List.of("workload", "file system", "files"));
        header.addAll(MAIN_COLUMNS.keySet());
        header.addAll(others);
        header.addAll(List.of("total", "KiB/file", "uploaded/committed", "ours/this"));
        Table table =
                new Table(
                        "Requests per committed file, counted by the S3 server (part size "
                                + (options.partSize >> 20)
                                + " MiB everywhere)",
                        header.toArray(new String[0]));
        for (SinkRun run : runs) {
            List<Object> row = new ArrayList<>();
            row.add(run.workload().name());
            row.add(run.fileSystem().label());
            if (!run.finished()) {
                row.add("failed");
                table.row(row.toArray());
                continue;
            }
            row.add(run.committedFiles());
            for (ToLongFunction<RequestCounts> column : MAIN_COLUMNS.values()) {
                row.add(format(run.perFile(column.applyAsLong(run.server()))));
            }
            for (String name : others) {
                row.add(format(run.perFile(OTHER_COLUMNS.get(name).applyAsLong(run.server()))));
            }
            row.add(format(run.perFile(run.server().total())));
            row.add(String.format("%.1f", run.committedBytes() / 1024.0 / run.committedFiles()));
            row.add(String.format("%.2f", run.uploadAmplification()));
            row.add(ratioToOurs(runs, run));
            table.row(row.toArray());
        }
        table.note(
                "%s",
                "files: part files committed at their final names; KiB/file: their mean size;");
        table.note(
                "%s",
                "uploaded/committed: object bytes of PUTs and parts over bytes committed;"
                        + " ours/this: our total requests per file over this one's");
        runs.stream()
                .map(SinkRun::workload)
                .distinct()
                .forEach(
                        w ->
                                table.note(
                                        "%s: %s; %,d rows of %d B per subtask, bucket and"
                                                + " checkpoint, %d buckets, %d checkpoints",
                                        w.name(),
                                        w.description(),
                                        w.rowsPerFilePerCheckpoint(),
                                        w.rowBytes(),
                                        w.buckets(),
                                        w.checkpoints()));
        for (SinkRun run : runs) {
            if (!run.finished()) {
                table.note(
                        "%s through %s failed: %s",
                        run.workload().name(), run.fileSystem().label(), run.failureSummary());
            } else if (run.output().otherObjects() > 0 || run.output().pendingUploads() > 0) {
                table.note(
                        "%s through %s: %d other objects (tails) and %d pending uploads left"
                                + " below the output",
                        run.workload().name(),
                        run.fileSystem().label(),
                        run.output().otherObjects(),
                        run.output().pendingUploads());
            }
            if (run.failedCheckpoints() > 0) {
                table.note(
                        "%s through %s: %d checkpoints failed and were repeated, also in the %d"
                                + " runs before: its counts include what they sent",
                        run.workload().name(),
                        run.fileSystem().label(),
                        run.failedCheckpoints(),
                        ATTEMPTS - 1);
            }
            if (run.finished() && run.server().failed() > 0) {
                table.note(
                        "%s through %s: %d requests answered with an error status (such as a"
                                + " HEAD of a missing object), counted above",
                        run.workload().name(), run.fileSystem().label(), run.server().failed());
            }
        }
        skipped.forEach(reason -> table.note("%s (skipped)", reason));
        table.print(out);
    }

    private static String ratioToOurs(List<SinkRun> runs, SinkRun run) {
        if (run.fileSystem() == SinkFileSystem.OURS) {
            return "-";
        }
        return runs.stream()
                .filter(r -> r.workload().equals(run.workload()))
                .filter(r -> r.fileSystem() == SinkFileSystem.OURS && r.finished())
                .findFirst()
                .map(
                        ours ->
                                String.format(
                                        "%.2f",
                                        ours.perFile(ours.server().total())
                                                / run.perFile(run.server().total())))
                .orElse("-");
    }

    /** Our client's counters beside the server's, for our runs: both must see the same. */
    private void printCrossCheck(List<SinkRun> runs) {
        Table table =
                new Table(
                        "Cross-check of our runs: S3 server / our client counters",
                        "workload",
                        "PUT",
                        "part",
                        "create+complete+abort",
                        "HEAD",
                        "LIST",
                        "GET",
                        "DELETE",
                        "bytes uploaded",
                        "same");
        for (SinkRun run : runs) {
            if (run.client() == null || !run.finished()) {
                continue;
            }
            List<long[]> pairs = crossCheckPairs(run);
            List<Object> row = new ArrayList<>();
            row.add(run.workload().name());
            for (long[] pair : pairs) {
                row.add(pair[0] + " / " + pair[1]);
            }
            row.add(pairs.stream().allMatch(p -> p[0] == p[1]) ? "yes" : "NO");
            table.row(row.toArray());
        }
        table.print(out);
    }

    /** {server, client} per column of the cross-check. */
    private static List<long[]> crossCheckPairs(SinkRun run) {
        RequestCounts server = run.server();
        RequestCounters.Snapshot client = run.client();
        return List.of(
                new long[] {server.count(Kind.PUT_OBJECT), client.requests(RequestKind.PUT)},
                new long[] {
                    server.count(Kind.UPLOAD_PART), client.requests(RequestKind.MULTIPART_PART)
                },
                new long[] {
                    server.count(Kind.CREATE_MULTIPART)
                            + server.count(Kind.COMPLETE_MULTIPART)
                            + server.count(Kind.ABORT_MULTIPART),
                    client.requests(RequestKind.MULTIPART_CONTROL)
                },
                new long[] {server.count(Kind.HEAD_OBJECT), client.requests(RequestKind.HEAD)},
                new long[] {server.count(Kind.LIST), client.requests(RequestKind.LIST)},
                new long[] {server.count(Kind.GET_OBJECT), client.requests(RequestKind.GET)},
                new long[] {server.count(Kind.DELETE), client.requests(RequestKind.DELETE)},
                new long[] {server.payloadBytes(), client.bytesOut()});
    }

    /**
     * What the runs got wrong: a run of ours that failed, a run whose files miss or repeat rows or
     * whose files differ in number from what the workload makes, and server counts of ours that
     * differ from our client's. Flink's file systems that cannot run the FileSink are reported in
     * the table, not here.
     */
    static List<String> problems(List<SinkRun> runs) {
        List<String> problems = new ArrayList<>();
        for (SinkRun run : runs) {
            String name = run.workload().name() + " through " + run.fileSystem().label();
            if (!run.finished()) {
                if (run.fileSystem() == SinkFileSystem.OURS) {
                    problems.add(name + " failed: " + run.failureSummary());
                }
                continue;
            }
            if (!run.rows().exact()) {
                problems.add(name + ": " + run.rows());
            }
            // A run's files depend only on the workload, so every file system commits as many.
            long expected = run.workload().expectedFiles(run.parallelism());
            if (run.committedFiles() != expected) {
                problems.add(
                        name
                                + ": "
                                + run.committedFiles()
                                + " committed files, expected "
                                + expected);
            }
            if (run.client() != null
                    && !crossCheckPairs(run).stream().allMatch(p -> p[0] == p[1])) {
                problems.add(name + ": the server counted other requests than our client");
            }
        }
        return problems;
    }

    private static String format(double value) {
        return Double.isNaN(value) ? "-" : String.format("%.2f", value);
    }

    private void progress(String format, Object... args) {
        out.printf(
                "[%6.1f s] %s%n",
                (System.nanoTime() - startNanos) / 1e9, String.format(format, args));
    }
}
