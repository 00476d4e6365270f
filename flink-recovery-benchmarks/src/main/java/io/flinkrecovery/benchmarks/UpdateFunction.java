package io.flinkrecovery.benchmarks;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The state access under test: a key {@code k >= 0} writes a fresh random value of {@code
 * valueSize} bytes into its {@code ValueState<byte[]>}; {@code -k - 1} reads key {@code k} and
 * counts whether it has a value. Values are random slices of a pool of {@link ValueKind} bytes:
 * random ones, which no backend can compress, or text. Emits nothing.
 */
final class UpdateFunction extends KeyedProcessFunction<Long, Long, Void> {

    private static final long serialVersionUID = 1L;

    private static final int POOL_SIZE = 1 << 20;

    private final String controlName;
    private final int valueSize;
    private final ValueKind valueKind;

    private transient ValueState<byte[]> value;
    private transient byte[] pool;
    private transient SplittableRandom random;
    private transient JobControl control;

    UpdateFunction(String controlName, int valueSize, ValueKind valueKind) {
        this.controlName = controlName;
        this.valueSize = valueSize;
        this.valueKind = valueKind;
    }

    @Override
    public void open(OpenContext openContext) {
        value =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "value",
                                        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        random = new SplittableRandom(getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
        pool = new byte[POOL_SIZE + valueSize];
        valueKind.fill(pool, random);
        control = JobControl.forJob(controlName);
    }

    @Override
    public void processElement(Long record, Context ctx, Collector<Void> out) throws Exception {
        if (record >= 0) {
            int offset = random.nextInt(POOL_SIZE);
            value.update(Arrays.copyOfRange(pool, offset, offset + valueSize));
        } else {
            control.countVerified(value.value() != null);
        }
    }
}
