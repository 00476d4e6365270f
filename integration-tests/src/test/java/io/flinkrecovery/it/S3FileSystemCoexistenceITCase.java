package io.flinkrecovery.it;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.plugin.DefaultPluginManager;
import org.apache.flink.core.plugin.DirectoryBasedPluginFinder;
import org.apache.flink.core.plugin.PluginManager;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.apache.flink.util.WrappingProxy;

import io.flinkrecovery.fs.S3FileSystem;
import io.flinkrecovery.fs.S3FileSystemFactory;
import io.flinkrecovery.objectstore.ObjectInfo;
import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectStore;
import io.flinkrecovery.objectstore.RequestCounters;
import io.flinkrecovery.objectstore.RequestKind;
import io.flinkrecovery.testing.EmbeddedS3Extension;
import io.flinkrecovery.testing.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Our {@code s3} file system beside Flink's own S3 file systems, {@code flink-s3-fs-native} and
 * {@code flink-s3-fs-presto}, which are loaded from a plugins directory in class loaders of their
 * own, as a Flink distribution loads its {@code plugins/}. Which one serves {@code s3://} follows
 * {@code fs.s3.priority.<factory class>}, and a checkpoint written while one serves restores,
 * exactly, while the other serves, in both directions.
 *
 * <p>Flink picks the file system per scheme once per process, in {@code FileSystem.initialize}; the
 * MiniCluster's JobManager and TaskManager share this JVM, so each phase initializes the file
 * systems again, as a cluster restarted with another configuration would.
 */
class S3FileSystemCoexistenceITCase {

    private static final String PLUGINS_PROPERTY = "flinkrecovery.flink.plugins";

    private static final int PARALLELISM = 2;

    /** Rows the FileSink job writes. */
    private static final int ROWS = 6_000;

    @RegisterExtension
    @Order(1)
    static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("it-coexist");

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(() -> TestClusters.miniCluster(S3, PARALLELISM));

    private static PluginManager plugins;

    /** Flink's S3 plugins: their folder in the plugins directory, factory and file system. */
    enum OtherPlugin {
        NATIVE(
                "s3-fs-native",
                "org.apache.flink.fs.s3native.NativeS3FileSystemFactory",
                "org.apache.flink.fs.s3native.NativeS3FileSystem"),
        PRESTO(
                "s3-fs-presto",
                "org.apache.flink.fs.s3presto.S3FileSystemFactory",
                "org.apache.flink.fs.s3presto.FlinkS3PrestoFileSystem");

        final String folder;
        final String factory;
        final String fileSystem;

        OtherPlugin(String folder, String factory, String fileSystem) {
            this.folder = folder;
            this.factory = factory;
            this.fileSystem = fileSystem;
        }

        /** The setting that hands {@code s3://} to this plugin: a priority above ours. */
        Map<String, String> preferred() {
            return Map.of(priorityKey(factory), String.valueOf(ourPriority() + 1));
        }
    }

    /** What Flink's {@code PluginUtils.createPluginManagerFromRootFolder} builds at startup. */
    @BeforeAll
    static void loadPlugins() throws IOException {
        String property = System.getProperty(PLUGINS_PROPERTY);
        assertThat(property)
                .as("system property %s (set by the integration-tests pom)", PLUGINS_PROPERTY)
                .isNotNull();
        java.nio.file.Path root = java.nio.file.Path.of(property);
        for (OtherPlugin plugin : OtherPlugin.values()) {
            assertThat(root.resolve(plugin.folder)).as("plugin folder").isDirectory();
        }
        plugins =
                new DefaultPluginManager(
                        new DirectoryBasedPluginFinder(root).findPlugins(),
                        CoreOptions.getPluginParentFirstLoaderPatterns(new Configuration()));
    }

    /**
     * Leaves no plugin's factory registered for the test classes that run after this one, and ours
     * configured for the MiniCluster, which discards the last job's checkpoints as it shuts down.
     */
    @AfterAll
    static void forgetPlugins() {
        FileSystem.initialize(Configuration.fromMap(S3.flinkConfig()), null);
    }

    @Test
    void thePriorityDecidesWhichFileSystemServesS3() throws IOException {
        assertThat(serveS3(Map.of()))
                .as("with every factory at its own priority")
                .isExactlyInstanceOf(S3FileSystem.class);

        for (OtherPlugin plugin : OtherPlugin.values()) {
            FileSystem serving = serveS3(plugin.preferred());
            assertThat(serving.getClass().getName())
                    .as("with %s", plugin.preferred())
                    .isEqualTo(plugin.fileSystem);
            assertThat(serving.getClass().getClassLoader())
                    .as("the class loader of %s: the plugin's own", plugin.fileSystem)
                    .isNotSameAs(getClass().getClassLoader());
            assertThat(resolvable(plugin.factory))
                    .as("%s on the class path", plugin.factory)
                    .isFalse();
        }

        FileSystem presto = serveS3(OtherPlugin.PRESTO.preferred());
        assertThatThrownBy(presto::createRecoverableWriter)
                .as("a FileSink's writer from flink-s3-fs-presto")
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("does not support recoverable writers");

        // Lowering ours instead shows the others' own priorities: presto's beats native's.
        Map<String, String> oursLowered =
                Map.of(priorityKey(S3FileSystemFactory.class.getName()), "-10");
        assertThat(serveS3(oursLowered).getClass().getName())
                .as("with %s", oursLowered)
                .isEqualTo(OtherPlugin.PRESTO.fileSystem);
    }

    /**
     * Flink's own checkpoint storage and the hashmap backend, which read and write every object
     * through the file system that serves {@code s3://}: written by ours, restored and written by
     * the other, restored by ours again.
     */
    @ParameterizedTest
    @EnumSource(OtherPlugin.class)
    void checkpointsOfFlinksStorageRestoreThroughEitherFileSystem(
            OtherPlugin other, @InjectMiniCluster MiniCluster flink) throws Exception {
        String prefix = "flink-storage-" + other.folder;
        Configuration config = TestClusters.s3Storage(S3, prefix);
        config.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        // Every state handle a file of its own, so that a restore reads more than _metadata.
        config.set(CheckpointingOptions.FS_SMALL_FILE_THRESHOLD, MemorySize.ZERO);
        TestClusters.useBackend(config, "hashmap");
        AllStatesJob job = AllStatesJob.of("coexist-" + prefix, 6_000, 100, 1_000);
        job.reset();

        assertThat(serveS3(Map.of())).isExactlyInstanceOf(S3FileSystem.class);
        HeapRuns.Retained byOurs = HeapRuns.runAndCancel(flink, config, job, PARALLELISM, 2);

        assertThat(serveS3(other.preferred()).getClass().getName()).isEqualTo(other.fileSystem);
        Reads reads = Reads.start(config);
        JobID second = job.start(restoring(config, byOurs.pointer()), PARALLELISM);
        Checkpoints.awaitStats(
                flink,
                second,
                "2 checkpoints after the restore",
                s -> Checkpoints.completed(s) >= 2);
        reads.stop();
        assertThat(JobRuns.restoredFrom(flink, second).getExternalPath())
                .isEqualTo(byOurs.pointer());
        assertThat(reads.keys())
                .as("objects the restore read")
                .contains(key(byOurs.pointer() + "/_metadata"))
                .anyMatch(
                        k ->
                                k.startsWith(key(byOurs.pointer() + "/"))
                                        && !k.endsWith("/_metadata"));
        assertThat(reads.ours()).as("GETs our client sent of %d", reads.served()).isZero();
        reads.print("Flink's storage, hashmap: " + byOurs.pointer(), other.fileSystem);
        HeapRuns.Retained byOther = HeapRuns.cancel(flink, config, job, second);
        assertThat(byOther.events()).isGreaterThan(byOurs.events());

        assertThat(serveS3(Map.of())).isExactlyInstanceOf(S3FileSystem.class);
        reads = Reads.start(config);
        JobID third = job.start(restoring(config, byOther.pointer()), PARALLELISM);
        JobRuns.awaitStatus(flink, third, JobStatus.FINISHED);
        reads.stop();
        assertThat(JobRuns.restoredFrom(flink, third).getExternalPath())
                .isEqualTo(byOther.pointer());
        assertThat(reads.keys())
                .as("objects the restore read")
                .contains(key(byOther.pointer() + "/_metadata"));
        assertThat(reads.ours()).as("GETs our client sent").isEqualTo(reads.served());
        reads.print("Flink's storage, hashmap: " + byOther.pointer(), "ours");
        HeapRuns.assertExactlyOnce(job, third, PARALLELISM);
    }

    /**
     * The README's configuration, our storage and the incremental heap backend: checkpoints written
     * while ours serves {@code s3://} restore while the other does.
     */
    @ParameterizedTest
    @EnumSource(OtherPlugin.class)
    void ourStorageAndBackendKeepWorkingWhileTheOtherServes(
            OtherPlugin other, @InjectMiniCluster MiniCluster flink) throws Exception {
        String prefix = "our-storage-" + other.folder;
        Configuration config = TestClusters.s3Storage(S3, prefix);
        TestClusters.useBackend(config, "incremental-heap");
        config.setString("recovery.storage.inline-threshold", "0b");
        AllStatesJob job = AllStatesJob.of("coexist-" + prefix, 6_000, 100, 1_000);
        job.reset();

        assertThat(serveS3(Map.of())).isExactlyInstanceOf(S3FileSystem.class);
        HeapRuns.Retained byOurs = HeapRuns.runAndCancel(flink, config, job, PARALLELISM, 2);

        assertThat(serveS3(other.preferred()).getClass().getName()).isEqualTo(other.fileSystem);
        Reads reads = Reads.start(config);
        JobID second = job.start(restoring(config, byOurs.pointer()), PARALLELISM);
        JobRuns.awaitStatus(flink, second, JobStatus.FINISHED);
        reads.stop();
        assertThat(JobRuns.restoredFrom(flink, second).getExternalPath())
                .isEqualTo(byOurs.pointer());
        assertThat(reads.ours())
                .as(
                        "GETs our client sent of %d: _metadata and the backend's segments",
                        reads.served())
                .isPositive()
                .isLessThan(reads.served());
        reads.print("our storage, incremental heap: " + byOurs.pointer(), other.fileSystem);
        HeapRuns.assertExactlyOnce(job, second, PARALLELISM);
    }

    /**
     * A FileSink writes through whichever file system serves {@code s3://}, but its checkpoints
     * hold that file system's open uploads, which only its own recoverable writer reads back:
     * restoring a sink that flink-s3-fs-native wrote while ours serves fails on our error. A
     * savepoint through stop-with-savepoint commits the sink's files, and a sink under a new uid
     * then starts afresh through ours: every row lands exactly once.
     */
    @Test
    void aFileSinksStateStaysWithTheFileSystemThatWroteIt(@InjectMiniCluster MiniCluster flink)
            throws Exception {
        String prefix = "file-sink";
        Path out = new Path("s3://" + S3.bucket() + "/" + prefix + "/out");
        Configuration config = TestClusters.s3Storage(S3, prefix);
        TestClusters.useBackend(config, "hashmap");
        config.setString("restart-strategy.type", "none");

        OtherPlugin other = OtherPlugin.NATIVE;
        assertThat(serveS3(other.preferred()).getClass().getName()).isEqualTo(other.fileSystem);
        JobID first = startRows(config, out, "rows-" + other.folder);
        Checkpoints.awaitStats(flink, first, "2 checkpoints", s -> Checkpoints.completed(s) >= 2);
        String savepoint =
                flink.stopWithSavepoint(first, null, false, SavepointFormatType.CANONICAL).get();
        JobRuns.awaitStatus(flink, first, JobStatus.FINISHED);
        Map<String, List<String>> byOther = committedFiles(HeapRuns.store(config), out);
        assertThat(byOther.values().stream().mapToInt(List::size).sum())
                .as("rows in files committed through %s", other.fileSystem)
                .isPositive()
                .isLessThan(ROWS);

        assertThat(serveS3(Map.of())).isExactlyInstanceOf(S3FileSystem.class);
        JobID refused = startRows(restoring(config, savepoint), out, "rows-" + other.folder);
        JobResult result = flink.requestJobResult(refused).get();
        assertThat(result.getJobStatus()).contains(JobStatus.FAILED);
        Throwable failure =
                result.getSerializedThrowable()
                        .orElseThrow()
                        .deserializeError(getClass().getClassLoader());
        assertThat(
                        ExceptionUtils.findThrowableWithMessage(
                                failure, "it was not written by flink-recovery's s3 file system"))
                .as("our error in %s", ExceptionUtils.stringifyException(failure))
                .isPresent();

        Configuration freshSink = restoring(config, savepoint);
        freshSink.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, true);
        JobID second = startRows(freshSink, out, "rows-ours");
        JobRuns.awaitStatus(flink, second, JobStatus.FINISHED);
        assertThat(JobRuns.restoredFrom(flink, second).getExternalPath()).isEqualTo(savepoint);

        Map<String, List<String>> committed = committedFiles(HeapRuns.store(config), out);
        assertThat(committed).as("files the first sink committed").containsAllEntriesOf(byOther);
        Map<String, Integer> copies = new TreeMap<>();
        committed.values().stream()
                .flatMap(List::stream)
                .forEach(row -> copies.merge(row, 1, Integer::sum));
        assertThat(copies.keySet())
                .as("rows in committed files")
                .isEqualTo(rows().collect(Collectors.toSet()));
        assertThat(copies.entrySet())
                .allSatisfy(e -> assertThat(e.getValue()).as(e.getKey()).isOne());
    }

    /**
     * Initializes Flink's file systems as a JobManager or TaskManager does at startup: {@code
     * FileSystem.initialize} with its configuration (here the S3 connection plus {@code settings})
     * and the plugin manager of its plugins directory. Returns what then serves {@code s3://}.
     */
    private static FileSystem serveS3(Map<String, String> settings) throws IOException {
        Configuration config = Configuration.fromMap(S3.flinkConfig());
        settings.forEach(config::setString);
        FileSystem.initialize(config, plugins);
        FileSystem fs = FileSystem.get(URI.create("s3://" + S3.bucket() + "/"));
        // A plugin's file system comes wrapped in one that sets the plugin's class loader.
        while (fs instanceof WrappingProxy<?>) {
            @SuppressWarnings("unchecked")
            WrappingProxy<FileSystem> proxy = (WrappingProxy<FileSystem>) fs;
            fs = proxy.getWrappedDelegate();
        }
        return fs;
    }

    /**
     * Rows to a FileSink on {@code out} that rolls at every checkpoint, the sink as {@code uid}.
     */
    private static JobID startRows(Configuration config, Path out, String sinkUid)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(PARALLELISM);
        env.fromSource(
                        new DataGeneratorSource<>(
                                S3FileSystemCoexistenceITCase::row,
                                ROWS,
                                RateLimiterStrategy.perCheckpoint(1_000),
                                Types.STRING),
                        WatermarkStrategy.noWatermarks(),
                        "rows")
                .uid("rows")
                .setParallelism(1)
                .sinkTo(
                        FileSink.forRowFormat(out, new SimpleStringEncoder<String>())
                                .withRollingPolicy(OnCheckpointRollingPolicy.build())
                                .build())
                .uid(sinkUid)
                .name("file-sink");
        return env.executeAsync(sinkUid).getJobID();
    }

    /** The rows of every object below {@code out}, by key; each must be a committed part file. */
    private static Map<String, List<String>> committedFiles(ObjectStore store, Path out)
            throws IOException {
        Map<String, List<String>> files = new TreeMap<>();
        try (Stream<ObjectInfo> listed = store.list(ObjectLocation.parse(out.toUri()).child(""))) {
            for (ObjectInfo file : listed.toList()) {
                assertThat(file.location().name()).as("a committed part file").startsWith("part-");
                try (InputStream in = store.open(file.location())) {
                    String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    files.put(file.location().key(), text.lines().toList());
                }
            }
        }
        return files;
    }

    private static String row(long index) {
        return String.format("row-%06d", index);
    }

    private static Stream<String> rows() {
        return LongStream.range(0, ROWS).mapToObj(S3FileSystemCoexistenceITCase::row);
    }

    private static String priorityKey(String factoryClass) {
        return CoreOptions.fileSystemFactoryPriority("s3", factoryClass).key();
    }

    private static int ourPriority() {
        return new S3FileSystemFactory().getPriority();
    }

    private static boolean resolvable(String className) {
        try {
            Class.forName(className, false, S3FileSystemCoexistenceITCase.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static Configuration restoring(Configuration config, String pointer) {
        Configuration restore = new Configuration(config);
        restore.setString("execution.state-recovery.path", pointer);
        return restore;
    }

    /** The object key of an {@code s3://bucket/key} location. */
    private static String key(String location) {
        return URI.create(location).getPath().substring(1);
    }

    /** The GETs the S3 server answered between start and stop, and how many our client sent. */
    private static final class Reads {

        private final RequestCounters ourCounters;
        private final RequestCounters.Snapshot before;
        private List<RecordedRequest> served;
        private long ours;

        private Reads(RequestCounters ourCounters) {
            this.ourCounters = ourCounters;
            this.before = ourCounters.snapshot();
        }

        static Reads start(Configuration config) {
            Reads reads = new Reads(HeapRuns.store(config).counters());
            S3.requests().start();
            return reads;
        }

        void stop() {
            S3.requests().stop();
            ours = ourCounters.snapshot().minus(before).requests(RequestKind.GET);
            served =
                    S3.requests().requests().stream()
                            .filter(r -> r.kind() == RecordedRequest.Kind.GET_OBJECT)
                            .toList();
        }

        long served() {
            return served.size();
        }

        long ours() {
            return ours;
        }

        void print(String restored, String serving) {
            System.out.printf(
                    "Restore of %s while %s serves s3://: %d GETs, %d of them by our client%n",
                    restored, serving, served(), ours());
        }

        Set<String> keys() {
            return served.stream().map(RecordedRequest::key).collect(Collectors.toSet());
        }
    }
}
