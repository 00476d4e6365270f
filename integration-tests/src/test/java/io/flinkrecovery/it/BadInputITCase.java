package io.flinkrecovery.it;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;

import io.flinkrecovery.testing.EmbeddedS3Extension;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Bad input fails the job with one clear error that names the key, path or object, and nothing
 * stored is touched.
 */
class BadInputITCase {

    @RegisterExtension
    @Order(1)
    static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("it-bad-input");

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(() -> TestClusters.miniCluster(S3, 2));

    @Test
    void pointerToAMissingCheckpoint() {
        Configuration config = TestClusters.s3Storage(S3, "missing-pointer");
        String pointer =
                TestClusters.checkpointDir(S3, "missing-pointer") + "/" + new JobID() + "/chk-5";
        config.setString("execution.state-recovery.path", pointer);

        assertJobFailsWith(
                config,
                "Cannot restore from "
                        + pointer
                        + ": no checkpoint or savepoint is stored there. Point"
                        + " execution.state-recovery.path at a completed checkpoint");
    }

    @Test
    void missingBucket() {
        Configuration config = TestClusters.s3Storage(S3, "any");
        config.setString("execution.checkpointing.dir", "s3://no-such-bucket/checkpoints");

        assertJobFailsWith(
                config,
                "bucket 'no-such-bucket' does not exist at "
                        + S3.endpoint()
                        + ". Create it, or fix the bucket in the path.");
        assertThat(S3.server().bucketExists("no-such-bucket")).isFalse();
    }

    @Test
    void wrongCredentials() {
        Configuration config = TestClusters.s3Storage(S3, "denied");
        config.setString("s3.secret-key", "wrong-secret-do-not-log");

        Throwable failure = assertJobFailsWith(config, "Check s3.access-key and s3.secret-key");
        assertThat(ExceptionUtils.stringifyException(failure))
                .contains("Cannot list " + TestClusters.checkpointDir(S3, "denied"))
                .doesNotContain("wrong-secret-do-not-log");
    }

    @Test
    void invalidOptionValue() {
        Configuration config = TestClusters.s3Storage(S3, "invalid-option");
        config.setString("recovery.s3.upload.part-size", "1mb");

        assertJobFailsWith(
                config, "Invalid recovery.s3.upload.part-size: 1 mb (must be between 5mb and 5gb)");
    }

    private static Throwable assertJobFailsWith(Configuration config, String message) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.fromSequence(1, 1_000).keyBy(x -> x % 10).map(x -> x).sinkTo(new DiscardingSink<>());
        Throwable[] failure = new Throwable[1];
        assertThatThrownBy(env::execute)
                .satisfies(
                        e -> {
                            failure[0] = e;
                            assertThat(ExceptionUtils.findThrowableWithMessage(e, message))
                                    .as(ExceptionUtils.stringifyException(e))
                                    .isPresent();
                        });
        return failure[0];
    }
}
