package io.flinkrecovery.it.cluster;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code conf/config.yaml} of the cluster tests: the README's install lines (our backend and
 * storage on S3, ZooKeeper HA), everything on 127.0.0.1, small memory for a 2-core machine, and
 * fast failure detection so that a test measures recovery, not default timeouts.
 */
final class ClusterConfig {

    static final int SLOTS_PER_TASK_MANAGER = 2;

    /** Between the end of a checkpoint and the start of the next one. */
    static final long MIN_PAUSE_MILLIS = 1_000;

    /** Java 17 options of the distribution's default {@code config.yaml}. */
    private static final String JAVA_OPTS =
            String.join(
                    " ",
                    "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
                    "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
                    "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang=ALL-UNNAMED",
                    "--add-opens=java.base/java.net=ALL-UNNAMED",
                    "--add-opens=java.base/java.io=ALL-UNNAMED",
                    "--add-opens=java.base/java.nio=ALL-UNNAMED",
                    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
                    "--add-opens=java.base/java.text=ALL-UNNAMED",
                    "--add-opens=java.base/java.time=ALL-UNNAMED",
                    "--add-opens=java.base/java.util=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    private ClusterConfig() {}

    /**
     * The configuration of a cluster on {@code zooKeeperQuorum} and the S3 server of {@code
     * s3Client} with {@code bucket}, keeping its local temporary files under {@code runDir}.
     */
    static Map<String, String> of(
            String zooKeeperQuorum, Map<String, String> s3Client, String bucket, Path runDir) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("env.java.opts.all", JAVA_OPTS);

        config.put("jobmanager.rpc.address", "127.0.0.1");
        config.put("jobmanager.bind-host", "127.0.0.1");
        config.put("rest.address", "127.0.0.1");
        config.put("rest.bind-address", "127.0.0.1");
        config.put("taskmanager.host", "127.0.0.1");
        config.put("taskmanager.bind-host", "127.0.0.1");

        config.put("jobmanager.memory.process.size", "768m");
        config.put("taskmanager.memory.process.size", "1g");
        config.put("taskmanager.memory.managed.size", "64m");
        config.put("taskmanager.numberOfTaskSlots", String.valueOf(SLOTS_PER_TASK_MANAGER));
        config.put("parallelism.default", "2");
        // Killed processes leave their temporary files (such as the extracted RPC jar) behind.
        config.put("io.tmp.dirs", runDir.resolve("tmp").toString());
        config.put("web.tmpdir", runDir.resolve("tmp").toString());

        config.put("high-availability.type", "zookeeper");
        config.put("high-availability.zookeeper.quorum", zooKeeperQuorum);
        config.put("high-availability.zookeeper.path.root", "/flink");
        config.put("high-availability.cluster-id", "/cluster-it");
        // Job graphs, completed checkpoints' handles, blobs and job results, through our s3://.
        config.put("high-availability.storageDir", "s3://" + bucket + "/ha");
        // Failover waits for the dead leader's ZooKeeper session to expire.
        config.put("high-availability.zookeeper.client.session-timeout", "6 s");
        config.put("high-availability.zookeeper.client.connection-timeout", "5 s");

        // A dead TaskManager is found by failed heartbeat RPCs, not by the 50 s default timeout.
        config.put("heartbeat.interval", "1 s");
        config.put("heartbeat.timeout", "10 s");
        config.put("restart-strategy.type", "fixed-delay");
        config.put("restart-strategy.fixed-delay.attempts", "1000");
        config.put("restart-strategy.fixed-delay.delay", "500 ms");

        config.put(
                "state.backend.type",
                "io.flinkrecovery.backend.IncrementalHeapStateBackendFactory");
        config.put(
                "execution.checkpointing.storage",
                "io.flinkrecovery.storage.S3CheckpointStorageFactory");
        config.put("execution.checkpointing.dir", "s3://" + bucket + "/checkpoints");
        config.put("execution.checkpointing.savepoint-dir", "s3://" + bucket + "/savepoints");
        config.put("execution.checkpointing.interval", "1 s");
        config.put("execution.checkpointing.min-pause", MIN_PAUSE_MILLIS + " ms");
        config.put(
                "execution.checkpointing.externalized-checkpoint-retention",
                "RETAIN_ON_CANCELLATION");
        // The test states are small: keep them in objects, as a production state would be, not
        // inlined into _metadata.
        config.put("recovery.storage.inline-threshold", "256b");
        config.putAll(s3Client);

        // The tests read job and checkpoint state over REST while it changes.
        config.put("web.refresh-interval", "100 ms");
        config.put("rest.cache.execution-graph.timeout", "0 ms");
        config.put("rest.cache.checkpoint-statistics.timeout", "0 ms");
        config.put("web.timeout", "20 s");
        return config;
    }
}
