package io.flinkrecovery.it.cluster;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.runtime.rest.messages.JobExceptionsInfoWithHistory;

import io.flinkrecovery.it.AllStatesClusterJob;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input keeps its clear errors on a cluster of real processes: a job submitted with a wrong
 * bucket, a wrong secret key, or a restore path to a checkpoint without {@code _metadata} fails on
 * the JobManager before it runs, and the failure that the REST API reports ({@code
 * /jobs/<id>/exceptions}, what the web UI shows) names the bucket, key or path. Nothing stored is
 * touched. No TaskManager is needed: the JobManager refuses each job when it creates it.
 */
class ClusterBadInputITCase {

    @RegisterExtension static final HaCluster CLUSTER = new HaCluster(1, 0);

    private static Path jobJar;
    private static String endpoint;

    @BeforeAll
    static void writeJobJar() throws Exception {
        jobJar = CLUSTER.runDir().resolve("job/all-states.jar");
        JobJar.write(jobJar, AllStatesClusterJob.class, AllStatesClusterJob.jobClasses());
        endpoint = CLUSTER.clientConfig().getString("s3.endpoint", null);
        // The test writes a partial checkpoint through our s3:// file system.
        FileSystem.initialize(CLUSTER.clientConfig(), null);
    }

    @Test
    void wrongBucket() throws Exception {
        JobID job =
                submit(
                        "wrong-bucket",
                        Map.of("execution.checkpointing.dir", "s3://no-such-bucket/checkpoints"));

        assertFailureNames(
                job,
                "Cannot list s3://no-such-bucket/checkpoints/"
                        + job
                        + ": bucket 'no-such-bucket' does not exist at "
                        + endpoint
                        + ". Create it, or fix the bucket in the path.");
        assertThat(CLUSTER.runDir().resolve("s3/data/no-such-bucket"))
                .as("the bucket was not created")
                .doesNotExist();
    }

    @Test
    void wrongSecretKey() throws Exception {
        String wrongSecret = "wrong-secret-" + UUID.randomUUID();
        JobID job = submit("wrong-secret-key", Map.of("s3.secret-key", wrongSecret));

        String failure =
                assertFailureNames(
                        job,
                        "Cannot list s3://"
                                + HaCluster.BUCKET
                                + "/checkpoints/"
                                + job
                                + ": access denied by "
                                + endpoint);
        assertThat(failure)
                .contains("Check s3.access-key and s3.secret-key")
                .doesNotContain(wrongSecret);
    }

    /**
     * A checkpoint that never completed: its state object is on S3, its {@code _metadata} is not,
     * as a JobManager killed during the checkpoint leaves it.
     */
    @Test
    void restorePathToACheckpointWithoutMetadata() throws Exception {
        String pointer = RestoredCheckpoints.pointer(new JobID(), 3);
        org.apache.flink.core.fs.Path state =
                new org.apache.flink.core.fs.Path(pointer + "/" + UUID.randomUUID());
        try (FSDataOutputStream out =
                state.getFileSystem().create(state, FileSystem.WriteMode.NO_OVERWRITE)) {
            out.write(
                    "state of a checkpoint that never completed".getBytes(StandardCharsets.UTF_8));
        }

        JobID job = submit("no-metadata", Map.of("execution.state-recovery.path", pointer));

        assertFailureNames(
                job,
                "Cannot restore from "
                        + pointer
                        + ": the checkpoint has no _metadata ("
                        + pointer
                        + "/_metadata), so it never completed or its metadata was deleted. Point"
                        + " execution.state-recovery.path at a completed checkpoint (chk-<n> with a"
                        + " _metadata) or a savepoint.");
        assertThat(state.getFileSystem().exists(state)).as("%s is kept", state).isTrue();
    }

    private static JobID submit(String name, Map<String, String> badConfig) throws Exception {
        Map<String, String> jobConfig = new HashMap<>(badConfig);
        jobConfig.put("restart-strategy.type", "none");
        Path output = CLUSTER.runDir().resolve("output").resolve(name);
        Files.createDirectories(output);
        return CLUSTER.submit(
                jobJar,
                AllStatesClusterJob.class.getName(),
                AllStatesClusterJob.args(1_000, 10, 100, 2, output),
                jobConfig);
    }

    /**
     * Waits until {@code job} failed; asserts that it failed once, with {@code message} in the
     * failure the REST API reports, and returns that failure's stack trace.
     */
    private static String assertFailureNames(JobID job, String message) throws Exception {
        RestApi rest = CLUSTER.jobManagers().get(0).rest();
        new JobWatch(rest, job).awaitStatus(JobStatus.FAILED);
        List<JobExceptionsInfoWithHistory.RootExceptionInfo> failures =
                rest.exceptions(job).getExceptionHistory().getEntries();
        assertThat(failures).as("failures of job %s", job).hasSize(1);
        String stackTrace = failures.get(0).getStacktrace();
        assertThat(stackTrace).contains(message);
        System.out.println("Job " + job + " failed: " + lineWith(stackTrace, message));
        return stackTrace;
    }

    private static String lineWith(String text, String part) {
        // The innermost cause: the wrappers above it repeat its message.
        return text.lines()
                .filter(line -> line.contains(part))
                .reduce((outer, inner) -> inner)
                .orElseThrow()
                .trim();
    }
}
