package io.flinkrecovery.it.cluster;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ResourceParamsTest {

    @Test
    void theFirstResultLineHoldsJvmFlagsTheSecondDynamicProperties() {
        String output =
                String.join(
                        "\n",
                        "INFO  [] - Loading configuration property: taskmanager.numberOfTaskSlots, 2",
                        "BASH_JAVA_UTILS_EXEC_RESULT:-Xmx335544320 -Xms335544320",
                        "BASH_JAVA_UTILS_EXEC_RESULT:-D taskmanager.cpu.cores=2.0 -D"
                                + " taskmanager.memory.managed.size=67108864b",
                        "");

        ResourceParams params = ResourceParams.parse(ResourceParams.TASK_MANAGER, output);

        assertThat(params.jvmArgs()).isEqualTo(List.of("-Xmx335544320", "-Xms335544320"));
        assertThat(params.dynamicProperties())
                .isEqualTo(
                        List.of(
                                "-D",
                                "taskmanager.cpu.cores=2.0",
                                "-D",
                                "taskmanager.memory.managed.size=67108864b"));
    }

    @Test
    void outputWithoutTwoResultLinesIsRejectedWithIt() {
        assertThatThrownBy(
                        () ->
                                ResourceParams.parse(
                                        ResourceParams.JOB_MANAGER,
                                        "BASH_JAVA_UTILS_EXEC_RESULT:-Xmx1\nsomething failed"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(
                        "BashJavaUtils GET_JM_RESOURCE_PARAMS printed 1 result lines (expected 2):\n"
                                + "BASH_JAVA_UTILS_EXEC_RESULT:-Xmx1\nsomething failed");
    }
}
