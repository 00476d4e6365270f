package io.flinkrecovery.benchmarks;

import org.apache.flink.configuration.MemorySize;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The command line of {@link FileSinkRequestCost}, parsed by picocli as the other benchmarks' are.
 */
@Command(
        name = "bin/benchmark sink",
        sortOptions = false,
        description =
                "Requests per committed file of Flink's FileSink through our s3:// file system and"
                        + " Flink's own S3 file systems, counted by the embedded S3 server.")
final class SinkBenchmarkOptions {

    private static final List<String> WORKLOADS =
            List.of("on-checkpoint", "open-across", "multipart");

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help message and exit.")
    boolean help;

    @Option(
            names = "--file-systems",
            paramLabel = "LIST",
            split = ",",
            converter = FileSystemConverter.class,
            description = "Of ours, hadoop, native, presto (default: all).")
    Set<SinkFileSystem> fileSystems = EnumSet.allOf(SinkFileSystem.class);

    @Option(
            names = "--workloads",
            paramLabel = "LIST",
            split = ",",
            description = "Of on-checkpoint, open-across, multipart (default: all).")
    List<String> workloadNames = WORKLOADS;

    @Option(
            names = "--checkpoints",
            paramLabel = "N",
            description = "Checkpoints of the small-file workloads (default 12).")
    int checkpoints = 12;

    @Option(
            names = "--rows-per-file",
            paramLabel = "N",
            description = "Rows of 100 B per file and checkpoint in them (default 1000).")
    int rowsPerFile = 1000;

    @Option(
            names = "--multipart-checkpoints",
            paramLabel = "N",
            description =
                    "Checkpoints of the multipart workload, one file per subtask each (default 3).")
    int multipartCheckpoints = 3;

    @Option(
            names = "--multipart-parts",
            paramLabel = "N",
            description = "Parts per file of the multipart workload (default 4).")
    int multipartParts = 4;

    @Option(
            names = "--part-size",
            paramLabel = "SIZE",
            converter = MemorySizeConverter.class,
            description = "The part size of every file system (default 5mb, S3's minimum).")
    long partSize = MIN_PART_SIZE;

    @Option(names = "--parallelism", paramLabel = "P", description = "Sink subtasks (default 2).")
    int parallelism = 2;

    private static final long MIN_PART_SIZE = MemorySize.parse("5mb").getBytes();

    static SinkBenchmarkOptions parseOrExit(String[] args) {
        return CommandLines.parseOrExit(
                new SinkBenchmarkOptions(),
                "bin/benchmark sink",
                args,
                SinkBenchmarkOptions::validated);
    }

    /** The options in {@code args}, or a {@link ParameterException} that says what is wrong. */
    static SinkBenchmarkOptions parse(String[] args) {
        return CommandLines.parse(
                new SinkBenchmarkOptions(), args, SinkBenchmarkOptions::validated);
    }

    private static SinkBenchmarkOptions validated(CommandLine cli) {
        SinkBenchmarkOptions options = cli.getCommand();
        CommandLines.positive(cli, "--checkpoints", options.checkpoints);
        CommandLines.positive(cli, "--rows-per-file", options.rowsPerFile);
        CommandLines.positive(cli, "--multipart-checkpoints", options.multipartCheckpoints);
        CommandLines.positive(cli, "--multipart-parts", options.multipartParts);
        CommandLines.positive(cli, "--parallelism", options.parallelism);
        if (options.partSize < MIN_PART_SIZE) {
            throw new ParameterException(
                    cli,
                    "Invalid --part-size: " + options.partSize + " bytes (must be at least 5mb)");
        }
        for (String name : options.workloadNames) {
            if (!WORKLOADS.contains(name)) {
                throw new ParameterException(
                        cli,
                        "Unknown workload: "
                                + name
                                + " (one of "
                                + String.join(", ", WORKLOADS)
                                + ")");
            }
        }
        return options;
    }

    /** {@code ours}, {@code hadoop}, {@code native} or {@code presto}. */
    static final class FileSystemConverter implements ITypeConverter<SinkFileSystem> {
        @Override
        public SinkFileSystem convert(String value) {
            try {
                return SinkFileSystem.fromOption(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A size in Flink's notation, such as {@code 5mb}, in bytes. */
    static final class MemorySizeConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return MemorySize.parse(value).getBytes();
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("Invalid size: " + value);
            }
        }
    }

    /** The workloads to run, in the order given. */
    List<SinkWorkload> workloads() {
        List<SinkWorkload> workloads = new ArrayList<>();
        for (String name : workloadNames) {
            switch (name) {
                case "on-checkpoint":
                    workloads.add(SinkWorkload.rollOnCheckpoint(checkpoints, rowsPerFile));
                    break;
                case "open-across":
                    workloads.add(SinkWorkload.openAcrossCheckpoints(checkpoints, rowsPerFile));
                    break;
                default:
                    workloads.add(
                            SinkWorkload.multipart(multipartCheckpoints, partSize, multipartParts));
            }
        }
        return workloads;
    }

    @Override
    public String toString() {
        return String.format(
                "parallelism %d, part size %s for every file system, small files: %d checkpoints x"
                        + " %d rows of 100 B per file, multipart: %d checkpoints",
                parallelism,
                new MemorySize(partSize).toString(),
                checkpoints,
                rowsPerFile,
                multipartCheckpoints);
    }
}
