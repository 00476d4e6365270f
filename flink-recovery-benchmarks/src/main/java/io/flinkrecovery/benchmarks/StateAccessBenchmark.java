package io.flinkrecovery.benchmarks;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.CloseableRegistry;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.state.CheckpointableKeyedStateBackend;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyedStateBackendParametersImpl;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.StateBackendLoader;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.ttl.TtlTimeProvider;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * State access alone: each backend's keyed state backend is built directly (no job, no records, no
 * checkpoints) and a loop sets a random key and writes a fresh value into a {@code
 * ValueState<byte[]>}, as the job benchmark's writer does. What the job benchmark's throughput
 * table adds on top (sources, the record path, a MiniCluster sharing the cores) is absent, so the
 * ratio shows what the backend itself costs per write. Rounds rotate the order of the backends.
 *
 * <p>{@code bin/benchmark state-access [--keys N] [--value-size B] [--throughput-updates N]
 * [--throughput-rounds R]}.
 */
public final class StateAccessBenchmark {

    private static final List<Backend> BACKENDS =
            List.of(Backend.INCREMENTAL_HEAP, Backend.HASHMAP, Backend.ROCKSDB_INCREMENTAL);

    private static final int MAX_PARALLELISM = 128;
    private static final int POOL_SIZE = 1 << 20;

    private final BenchmarkOptions options;
    private final PrintStream out;
    private final long startNanos = System.nanoTime();
    private int rounds;

    private StateAccessBenchmark(BenchmarkOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        BenchmarkOptions options = BenchmarkOptions.parseOrExit(args, "bin/benchmark state-access");
        new StateAccessBenchmark(options, System.out).run();
        System.exit(0);
    }

    /** One backend under test: its keyed backend and the state the loop writes. */
    private static final class Subject implements AutoCloseable {
        final CheckpointableKeyedStateBackend<Long> keyed;
        final ValueState<byte[]> state;

        Subject(CheckpointableKeyedStateBackend<Long> keyed) throws Exception {
            this.keyed = keyed;
            this.state =
                    keyed.getPartitionedState(
                            VoidNamespace.INSTANCE,
                            VoidNamespaceSerializer.INSTANCE,
                            new ValueStateDescriptor<>(
                                    "value",
                                    PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        }

        @Override
        public void close() throws Exception {
            keyed.dispose();
            keyed.close();
        }
    }

    private void run() throws Exception {
        out.printf(
                "State access without a job: %,d keys x %d B values, %d rounds of %,d writes per"
                        + " backend%n",
                options.keys,
                options.valueSize,
                options.throughputRounds,
                options.throughputUpdates);
        byte[] pool = new byte[POOL_SIZE + options.valueSize];
        new SplittableRandom(1).nextBytes(pool);
        Map<Backend, Subject> subjects = new EnumMap<>(Backend.class);
        // The keyed backends go before the environment, whose close checks their memory is back.
        try (MockEnvironment env = MockEnvironment.builder().build()) {
            try {
                for (Backend backend : BACKENDS) {
                    Subject subject = new Subject(create(backend, env));
                    subjects.put(backend, subject);
                    long start = System.nanoTime();
                    for (long key = 0; key < options.keys; key++) {
                        write(subject, key, pool, key);
                    }
                    progress(
                            "%s: loaded %,d keys in %s",
                            backend.label(),
                            options.keys,
                            Stats.seconds((System.nanoTime() - start) / 1e9));
                }
                Map<Backend, List<Double>> rates =
                        InterleavedRounds.run(
                                subjects.keySet(),
                                options.throughputRounds,
                                backend -> writeRandomKeys(subjects.get(backend), pool),
                                (backend, round, rate) ->
                                        progress(
                                                "%s: %s %s writes",
                                                round == 0 ? "Warm-up" : "Round " + round,
                                                backend.label(),
                                                Stats.rate(rate)));
                out.println();
                InterleavedRounds.table(
                                "State-access throughput without a job (writes/s of setCurrentKey"
                                        + " + ValueState.update)",
                                rates)
                        .print(out);
            } finally {
                for (Subject subject : subjects.values()) {
                    subject.close();
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private CheckpointableKeyedStateBackend<Long> create(Backend backend, MockEnvironment env)
            throws Exception {
        Configuration config = new Configuration();
        backend.configure(config);
        StateBackend stateBackend =
                StateBackendLoader.loadStateBackendFromConfig(
                        config, StateAccessBenchmark.class.getClassLoader(), null);
        return (CheckpointableKeyedStateBackend<Long>)
                stateBackend.createKeyedStateBackend(
                        new KeyedStateBackendParametersImpl<>(
                                env,
                                new JobID(),
                                "state-access-" + backend.id(),
                                LongSerializer.INSTANCE,
                                MAX_PARALLELISM,
                                new KeyGroupRange(0, MAX_PARALLELISM - 1),
                                env.getTaskKvStateRegistry(),
                                TtlTimeProvider.DEFAULT,
                                new UnregisteredMetricsGroup(),
                                (name, value) -> {},
                                List.of(),
                                new CloseableRegistry(),
                                1.0));
    }

    /** Writes {@code throughputUpdates} random keys; returns writes per second. */
    private double writeRandomKeys(Subject subject, byte[] pool) throws Exception {
        SplittableRandom random = new SplittableRandom(++rounds);
        long updates = options.throughputUpdates;
        long start = System.nanoTime();
        for (long i = 0; i < updates; i++) {
            write(subject, random.nextLong(options.keys), pool, random.nextInt(POOL_SIZE));
        }
        return updates / ((System.nanoTime() - start) / 1e9);
    }

    private void write(Subject subject, long key, byte[] pool, long offset) throws Exception {
        int from = (int) (offset % POOL_SIZE);
        subject.keyed.setCurrentKey(key);
        subject.state.update(Arrays.copyOfRange(pool, from, from + options.valueSize));
    }

    private void progress(String format, Object... args) {
        out.printf(
                "[%6.1f s] %s%n",
                (System.nanoTime() - startNanos) / 1e9, String.format(format, args));
    }
}
