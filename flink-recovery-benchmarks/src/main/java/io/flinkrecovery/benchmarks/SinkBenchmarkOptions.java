package io.flinkrecovery.benchmarks;

import org.apache.flink.configuration.MemorySize;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** The command line of {@link FileSinkRequestCost}. */
final class SinkBenchmarkOptions {

    static final String USAGE =
            String.join(
                    "\n",
                    "Usage: bin/benchmark sink [options]",
                    "  --file-systems LIST     of ours, hadoop, native, presto (default: all)",
                    "  --workloads LIST        of on-checkpoint, open-across, multipart (default: all)",
                    "  --checkpoints N         checkpoints of the small-file workloads (default 12)",
                    "  --rows-per-file N       rows of 100 B per file and checkpoint in them (default 1000)",
                    "  --multipart-checkpoints N  checkpoints of the multipart workload, one file per"
                            + " subtask each (default 3)",
                    "  --multipart-parts N     parts per file of the multipart workload (default 4)",
                    "  --part-size SIZE        the part size of every file system (default 5mb,"
                            + " S3's minimum)",
                    "  --parallelism P         sink subtasks (default 2)");

    Set<SinkFileSystem> fileSystems = EnumSet.allOf(SinkFileSystem.class);
    List<String> workloadNames = List.of("on-checkpoint", "open-across", "multipart");
    int checkpoints = 12;
    int rowsPerFile = 1000;
    int multipartCheckpoints = 3;
    int multipartParts = 4;
    long partSize = MemorySize.parse("5mb").getBytes();
    int parallelism = 2;

    static SinkBenchmarkOptions parseOrExit(String[] args) {
        try {
            return parse(args);
        } catch (IllegalArgumentException e) {
            if (!e.getMessage().isEmpty()) {
                System.err.println(e.getMessage());
            }
            System.err.println(USAGE);
            System.exit(2);
            throw e;
        }
    }

    static SinkBenchmarkOptions parse(String[] args) {
        SinkBenchmarkOptions options = new SinkBenchmarkOptions();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                throw new IllegalArgumentException("");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("Missing value for " + arg);
            }
            String value = args[++i];
            try {
                switch (arg) {
                    case "--file-systems":
                        Set<SinkFileSystem> fileSystems = EnumSet.noneOf(SinkFileSystem.class);
                        for (String name : value.split(",")) {
                            fileSystems.add(SinkFileSystem.fromOption(name));
                        }
                        options.fileSystems = fileSystems;
                        break;
                    case "--workloads":
                        List<String> workloads = new ArrayList<>();
                        for (String name : value.split(",")) {
                            if (!List.of("on-checkpoint", "open-across", "multipart")
                                    .contains(name.trim())) {
                                throw new IllegalArgumentException(
                                        "Unknown workload: "
                                                + name
                                                + " (one of on-checkpoint, open-across,"
                                                + " multipart)");
                            }
                            workloads.add(name.trim());
                        }
                        options.workloadNames = workloads;
                        break;
                    case "--checkpoints":
                        options.checkpoints = positive(arg, value);
                        break;
                    case "--rows-per-file":
                        options.rowsPerFile = positive(arg, value);
                        break;
                    case "--multipart-checkpoints":
                        options.multipartCheckpoints = positive(arg, value);
                        break;
                    case "--multipart-parts":
                        options.multipartParts = positive(arg, value);
                        break;
                    case "--part-size":
                        options.partSize = MemorySize.parse(value).getBytes();
                        if (options.partSize < MemorySize.parse("5mb").getBytes()) {
                            throw new IllegalArgumentException(
                                    "Invalid " + arg + ": " + value + " (must be at least 5mb)");
                        }
                        break;
                    case "--parallelism":
                        options.parallelism = positive(arg, value);
                        break;
                    default:
                        throw new IllegalArgumentException("Unknown option " + arg);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Invalid " + arg + ": " + value);
            }
        }
        return options;
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

    private static int positive(String key, String value) {
        int parsed = Integer.parseInt(value);
        if (parsed <= 0) {
            throw new IllegalArgumentException("Invalid " + key + ": " + value + " (must be > 0)");
        }
        return parsed;
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
