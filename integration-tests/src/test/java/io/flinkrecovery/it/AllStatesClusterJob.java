package io.flinkrecovery.it;

import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import io.flinkrecovery.examples.compat.JobParameters;
import io.flinkrecovery.examples.compat.SubtaskSink;
import io.flinkrecovery.examples.totals.Event;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link AllStatesJob} as a job jar's entry point, for a cluster of real processes: the summaries
 * go to files ({@link SummaryFileSink}) in a directory the test reads after the job finished, and
 * {@link #mismatches} compares them with {@link AllStatesModel}.
 *
 * <p>Arguments: {@code --events N --keys K --events-per-checkpoint E --parallelism P --output DIR
 * [--rows s3://bucket/prefix]}. The source emits {@code E} events per completed checkpoint, so the
 * job runs for about {@code N / E} checkpoints whatever the speed of the machine. With {@code
 * --rows}, the job also writes each event as a row with Flink's {@code FileSink} ({@link
 * EventRows}), rebalanced over {@code P} writers.
 */
public final class AllStatesClusterJob {

    static final String ROWS_UID = "event-rows";

    private AllStatesClusterJob() {}

    public static void main(String[] args) throws Exception {
        JobParameters params = JobParameters.fromArgs(args);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(params.getInt("parallelism"));
        env.setMaxParallelism(AllStatesJob.MAX_PARALLELISM);
        DataStream<Event> events =
                AllStatesJob.of(
                                "cluster",
                                params.getLong("events"),
                                params.getInt("keys"),
                                params.getInt("events-per-checkpoint"))
                        .addTo(env, new SummaryFileSink(Path.of(params.getRequired("output"))));
        String rows = params.get("rows");
        if (rows != null) {
            events.rebalance()
                    .map(EventRows::row)
                    .name("rows")
                    .sinkTo(EventRows.sink(rows))
                    .uid(ROWS_UID)
                    .name("file-sink");
        }
        env.execute("all-states");
    }

    /**
     * The command line of {@link #main} that also writes every event as a row ({@link EventRows})
     * with Flink's {@code FileSink} below {@code rows}, such as {@code s3://bucket/out}.
     */
    public static List<String> args(
            long events,
            int keys,
            int eventsPerCheckpoint,
            int parallelism,
            Path output,
            String rows) {
        List<String> args =
                new ArrayList<>(args(events, keys, eventsPerCheckpoint, parallelism, output));
        args.addAll(List.of("--rows", rows));
        return args;
    }

    /** The command line of {@link #main}. */
    public static List<String> args(
            long events, int keys, int eventsPerCheckpoint, int parallelism, Path output) {
        return List.of(
                "--events",
                String.valueOf(events),
                "--keys",
                String.valueOf(keys),
                "--events-per-checkpoint",
                String.valueOf(eventsPerCheckpoint),
                "--parallelism",
                String.valueOf(parallelism),
                "--output",
                output.toAbsolutePath().toString());
    }

    /**
     * Every way the summaries in {@code output} differ from the reference result of a job over
     * {@code events} events and {@code keys} keys; empty if they match exactly.
     */
    public static List<String> mismatches(Path output, long events, int keys) throws IOException {
        AllStatesJob.Results results = new AllStatesJob.Results();
        SummaryFileSink.read(output).forEach(results::offer);
        return AllStatesModel.compute(events, keys).mismatches(results);
    }

    /** The classes a job jar of this entry point holds, each with its nested classes. */
    public static List<Class<?>> jobClasses() {
        return List.of(
                AllStatesClusterJob.class,
                AllStatesJob.class,
                SummaryFileSink.class,
                SubtaskSink.class,
                JobParameters.class,
                Summary.class,
                Rule.class,
                Event.class,
                EventRows.class);
    }
}
