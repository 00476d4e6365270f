package io.flinkrecovery.examples.compat;

import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.io.IOException;

/**
 * A {@link Sink} whose writer needs only its subtask's {@link TaskInfo}. Flink 2.x creates writers
 * from a {@code WriterInitContext} only.
 */
public abstract class SubtaskSink<T> implements Sink<T> {

    private static final long serialVersionUID = 1L;

    @Override
    public final SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        return createWriter(context.getTaskInfo());
    }

    protected abstract SinkWriter<T> createWriter(TaskInfo task) throws IOException;
}
