package io.flinkrecovery.benchmarks;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The state access under test: a slot {@code s >= 0} (see {@link Workload}) writes a fresh random
 * value of {@code valueSize} bytes into its key's {@code ValueState<byte[]>} (W1) or under its user
 * key into its key's {@code MapState<Integer, byte[]>} (W2); {@code -s - 1} reads slot {@code s}
 * and counts whether it has a value. Values are random slices of a pool of {@link ValueKind} bytes:
 * random ones, which no backend can compress, or text. Emits nothing.
 */
final class UpdateFunction extends KeyedProcessFunction<Long, Long, Void> {

    private static final long serialVersionUID = 1L;

    private static final int POOL_SIZE = 1 << 20;

    private final String controlName;
    private final Workload workload;

    private transient ValueState<byte[]> value;
    private transient MapState<Integer, byte[]> map;
    private transient byte[] pool;
    private transient SplittableRandom random;
    private transient JobControl control;

    UpdateFunction(String controlName, Workload workload) {
        this.controlName = controlName;
        this.workload = workload;
    }

    @Override
    public void open(OpenContext openContext) {
        if (workload.isMapState()) {
            map =
                    getRuntimeContext()
                            .getMapState(
                                    new MapStateDescriptor<>(
                                            "entries",
                                            Types.INT,
                                            PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        } else {
            value =
                    getRuntimeContext()
                            .getState(
                                    new ValueStateDescriptor<>(
                                            "value",
                                            PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        }
        random = new SplittableRandom(getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
        pool = new byte[POOL_SIZE + workload.valueSize];
        workload.valueKind.fill(pool, random);
        control = JobControl.forJob(controlName);
    }

    @Override
    public void processElement(Long record, Context ctx, Collector<Void> out) throws Exception {
        if (record >= 0) {
            int offset = random.nextInt(POOL_SIZE);
            byte[] fresh = Arrays.copyOfRange(pool, offset, offset + workload.valueSize);
            if (map != null) {
                map.put(workload.userKeyOf(record), fresh);
            } else {
                value.update(fresh);
            }
        } else {
            long slot = -record - 1;
            control.countVerified(
                    map != null ? map.contains(workload.userKeyOf(slot)) : value.value() != null);
        }
    }
}
