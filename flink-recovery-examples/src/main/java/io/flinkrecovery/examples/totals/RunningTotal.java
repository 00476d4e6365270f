package io.flinkrecovery.examples.totals;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/** Keeps a count and a sum per key in keyed state and emits the running total per event. */
final class RunningTotal extends KeyedProcessFunction<Integer, Event, Total> {

    private transient ValueState<Long> count;
    private transient ValueState<Long> sum;

    @Override
    public void open(OpenContext openContext) {
        count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
        sum = getRuntimeContext().getState(new ValueStateDescriptor<>("sum", Types.LONG));
    }

    @Override
    public void processElement(Event event, Context context, Collector<Total> out)
            throws Exception {
        long newCount = (count.value() == null ? 0 : count.value()) + 1;
        long newSum = (sum.value() == null ? 0 : sum.value()) + event.amount;
        count.update(newCount);
        sum.update(newSum);
        out.collect(new Total(event.key, newCount, newSum));
    }
}
