package io.flinkrecovery.benchmarks;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.functions.source.legacy.RichParallelSourceFunction;

import java.util.SplittableRandom;

/**
 * Emits the slots (see {@link Workload}) this subtask owns, as its {@link JobControl} commands. A
 * slot {@code s} goes out as {@code s} (write a new value) or, for a verification read, as {@code
 * -s - 1}. The source only emits slots whose key's key group belongs to its own subtask, so the
 * keyed function can be chained to it without a shuffle (see {@link UpdateJob}).
 */
final class UpdateSource extends RichParallelSourceFunction<Long> {

    private static final long serialVersionUID = 1L;

    /** Records emitted per hold of the checkpoint lock. */
    private static final int CHUNK = 1024;

    private final String controlName;
    private final Workload workload;
    private final long seed;

    private transient long[] own;
    private transient SplittableRandom random;
    private volatile boolean running = true;

    UpdateSource(String controlName, Workload workload, long seed) {
        this.controlName = controlName;
        this.workload = workload;
        this.seed = seed;
    }

    @Override
    public void open(OpenContext openContext) {
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        int maxParallelism = getRuntimeContext().getTaskInfo().getMaxNumberOfParallelSubtasks();
        long slots = workload.slots();
        long[] mine = new long[(int) (slots / parallelism + slots / 8 + 16)];
        int count = 0;
        boolean ownKey = false;
        for (long slot = 0; slot < slots; slot++) {
            long key = workload.keyOf(slot);
            if (slot == 0 || key != workload.keyOf(slot - 1)) {
                ownKey =
                        KeyGroupRangeAssignment.assignKeyToParallelOperator(
                                        key, maxParallelism, parallelism)
                                == subtask;
            }
            if (ownKey) {
                if (count == mine.length) {
                    mine = java.util.Arrays.copyOf(mine, mine.length * 2);
                }
                mine[count++] = slot;
            }
        }
        own = java.util.Arrays.copyOf(mine, count);
        random = new SplittableRandom(seed * 31 + subtask);
    }

    @Override
    public void run(SourceContext<Long> ctx) throws Exception {
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        JobControl control = JobControl.forJob(controlName);
        control.started(subtask);
        long lastSeq = 0;
        while (running) {
            JobControl.Command command = control.awaitCommand(lastSeq, 100);
            if (command == null) {
                continue;
            }
            lastSeq = command.seq();
            long emitted;
            switch (command.kind()) {
                case LOAD:
                    emitted = emitAll(ctx, false);
                    break;
                case UPDATE:
                    emitted = emitDistinct(ctx, Math.round(own.length * command.fraction()));
                    break;
                case THROUGHPUT:
                    emitted =
                            emitRandom(
                                    ctx,
                                    command.count()
                                            / getRuntimeContext()
                                                    .getTaskInfo()
                                                    .getNumberOfParallelSubtasks());
                    break;
                case VERIFY:
                    emitted = emitAll(ctx, true);
                    break;
                case STOP:
                    return;
                default:
                    throw new IllegalStateException("Unknown command " + command);
            }
            control.done(subtask, command.seq(), emitted);
        }
    }

    private long emitAll(SourceContext<Long> ctx, boolean verify) {
        for (int start = 0; start < own.length; start += CHUNK) {
            int end = Math.min(own.length, start + CHUNK);
            synchronized (ctx.getCheckpointLock()) {
                for (int i = start; i < end; i++) {
                    ctx.collect(verify ? -own[i] - 1 : own[i]);
                }
            }
        }
        return own.length;
    }

    /** {@code count} distinct slots: a partial Fisher-Yates shuffle of the owned slots. */
    private long emitDistinct(SourceContext<Long> ctx, long count) {
        int n = (int) Math.min(count, own.length);
        for (int start = 0; start < n; start += CHUNK) {
            int end = Math.min(n, start + CHUNK);
            synchronized (ctx.getCheckpointLock()) {
                for (int i = start; i < end; i++) {
                    int j = i + random.nextInt(own.length - i);
                    long key = own[j];
                    own[j] = own[i];
                    own[i] = key;
                    ctx.collect(key);
                }
            }
        }
        return n;
    }

    private long emitRandom(SourceContext<Long> ctx, long count) {
        for (long start = 0; start < count; start += CHUNK) {
            long end = Math.min(count, start + CHUNK);
            synchronized (ctx.getCheckpointLock()) {
                for (long i = start; i < end; i++) {
                    ctx.collect(own[random.nextInt(own.length)]);
                }
            }
        }
        return count;
    }

    @Override
    public void cancel() {
        running = false;
    }
}
