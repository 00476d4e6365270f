package io.flinkrecovery.it;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.util.TestStreamEnvironment;

import io.flinkrecovery.examples.S3StorageConfig;
import io.flinkrecovery.examples.compat.JobParameters;
import io.flinkrecovery.inspect.InspectionReport;
import io.flinkrecovery.inspect.RestoreInspector;

import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

/**
 * Restores a savepoint of {@link AllStatesJob} on the Flink of this class path and runs the job to
 * its end, writing its summaries with {@link SummaryFileSink}: the second half of an upgrade test,
 * in a JVM of its own because the first half runs on another Flink. On the way it validates the
 * savepoint with our inspector and takes a savepoint of its own. It prints {@code RESTORED
 * <pointer>}, {@code INSPECTED <report>} and {@code SAVEPOINT <pointer>} and exits 0, or fails.
 *
 * <p>Arguments: {@code --s3-config FILE} (the S3 client keys, as properties) {@code --bucket B
 * --prefix P --savepoint POINTER --run-id ID --events N --keys K --events-per-checkpoint E
 * --parallelism P --output DIR}.
 */
public final class SavepointRestoreRun {

    private SavepointRestoreRun() {}

    public static void main(String[] args) throws Exception {
        JobParameters params = JobParameters.fromArgs(args);
        Map<String, String> s3 = properties(params.getRequired("s3-config"));
        String base = "s3://" + params.getRequired("bucket") + "/" + params.getRequired("prefix");
        String savepoint = params.getRequired("savepoint");
        int parallelism = params.getInt("parallelism");

        Configuration config =
                S3StorageConfig.of(
                        s3, base + "/checkpoints", base + "/savepoints", Duration.ofMillis(300));
        TestClusters.useBackend(config, "incremental-heap");
        config.setString("execution.state-recovery.path", savepoint);

        Configuration clusterConfig = Configuration.fromMap(s3);
        FileSystem.initialize(clusterConfig, null);
        MiniCluster flink =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(clusterConfig)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(parallelism + 2)
                                .build());
        flink.start();
        try {
            TestStreamEnvironment.setAsContext(flink, parallelism);
            InspectionReport report =
                    new RestoreInspector(HeapRuns.store(config)).validate(savepoint, true);
            System.out.println("INSPECTED " + report);
            if (!report.isValid()) {
                throw new IllegalStateException("Invalid savepoint:" + report.describeErrors());
            }

            AllStatesJob job =
                    AllStatesJob.of(
                            params.getRequired("run-id"),
                            params.getLong("events"),
                            params.getInt("keys"),
                            params.getInt("events-per-checkpoint"));
            JobID id =
                    job.start(
                            config,
                            parallelism,
                            new SummaryFileSink(Path.of(params.getRequired("output"))));
            System.out.println("SAVEPOINT " + savepointWithRetries(flink, id));
            JobRuns.awaitStatus(flink, id, JobStatus.FINISHED);
            System.out.println("RESTORED " + JobRuns.restoredFrom(flink, id).getExternalPath());
        } finally {
            TestStreamEnvironment.unsetAsContext();
            flink.close();
        }
        System.exit(0);
    }

    /**
     * A native savepoint of the running job, taken after its next completed checkpoint; a declined
     * one (a slow upload on a loaded machine) is tried again, up to three times, as an operator
     * would.
     */
    private static String savepointWithRetries(MiniCluster flink, JobID id) throws Exception {
        ExecutionException last = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            long completed = Checkpoints.completed(Checkpoints.stats(flink, id));
            Checkpoints.awaitStats(
                    flink, id, "a checkpoint", s -> Checkpoints.completed(s) > completed);
            try {
                return flink.triggerSavepoint(id, null, false, SavepointFormatType.NATIVE).get();
            } catch (ExecutionException e) {
                System.out.println("SAVEPOINT-DECLINED attempt " + attempt + ": " + e.getCause());
                last = e;
            }
        }
        throw last;
    }

    private static Map<String, String> properties(String file) throws Exception {
        Properties properties = new Properties();
        try (InputStream in = new FileInputStream(file)) {
            properties.load(in);
        }
        Map<String, String> map = new HashMap<>();
        properties.stringPropertyNames().forEach(k -> map.put(k, properties.getProperty(k)));
        return map;
    }
}
