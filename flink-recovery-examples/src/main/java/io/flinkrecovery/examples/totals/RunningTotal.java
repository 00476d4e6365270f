package io.flinkrecovery.examples.totals;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.io.IOException;

/** Keeps each key's event count and amount total in keyed state, and emits both per event. */
final class RunningTotal extends KeyedProcessFunction<Integer, Event, Total> {

    private static final long serialVersionUID = 1L;

    private transient ValueState<Long> count;
    private transient ValueState<Long> total;

    @Override
    public void open(OpenContext openContext) {
        count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
        total = getRuntimeContext().getState(new ValueStateDescriptor<>("total", Types.LONG));
    }

    @Override
    public void processElement(Event event, Context context, Collector<Total> out)
            throws IOException {
        long newCount = valueOrZero(count) + 1;
        long newTotal = valueOrZero(total) + event.amount();
        count.update(newCount);
        total.update(newTotal);
        out.collect(new Total(event.key(), newCount, newTotal));
    }

    private static long valueOrZero(ValueState<Long> state) throws IOException {
        Long value = state.value();
        return value == null ? 0 : value;
    }
}
