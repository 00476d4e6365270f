package io.flinkrecovery.inspect;

import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;

import io.flinkrecovery.fs.TailObjects;
import io.flinkrecovery.inspect.CheckpointSummary.Status;
import io.flinkrecovery.objectstore.DirectoryListing;
import io.flinkrecovery.objectstore.ObjectInfo;
import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectStore;
import io.flinkrecovery.objectstore.PendingUpload;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Proves that a checkpoint will restore before Flink tries: reads {@code _metadata} with Flink's
 * loader, walks every state handle, checks that each referenced object exists with the right size
 * (and in deep mode reads it), and that the key groups of every operator are covered once. Also
 * lists a job's checkpoints, finds the newest valid one, and collects orphaned objects and
 * abandoned multipart uploads.
 */
public final class RestoreInspector {

    static final Pattern CHECKPOINT_DIR = Pattern.compile("chk-(\\d+)");

    /** Where ForSt keeps its working files when its primary directory is the checkpoint's. */
    private static final Pattern WORKING_DIRECTORY =
            Pattern.compile("(^|/)shared/op_[^/]+_attempt_[^/]+/");

    static final int DEFAULT_THREADS = 16;
    static final int ORPHAN_ATTEMPTS = 5;

    private final ObjectStore store;
    private final ClassLoader classLoader;
    private final Progress progress;
    private final int threads;

    public RestoreInspector(ObjectStore store) {
        this(store, RestoreInspector.class.getClassLoader(), Progress.NONE, DEFAULT_THREADS);
    }

    public RestoreInspector(
            ObjectStore store, ClassLoader classLoader, Progress progress, int threads) {
        this.store = store;
        this.classLoader = classLoader;
        this.progress = progress;
        this.threads = threads;
    }

    /**
     * Validates the checkpoint or savepoint at {@code pointer} (its directory or its {@code
     * _metadata}). Deep mode also reads every object in full.
     */
    public InspectionReport validate(String pointer, boolean deep) throws IOException {
        ObjectLocation metadataLocation = MetadataLoader.metadataOf(pointer);
        String directory = metadataLocation.parent().toString();
        Optional<ObjectInfo> metadataObject = store.head(metadataLocation);
        if (metadataObject.isEmpty()) {
            return failed(
                    directory,
                    Finding.of(
                            Finding.Kind.MISSING_METADATA,
                            metadataLocation.toString(),
                            "Missing "
                                    + metadataLocation
                                    + ": the checkpoint never completed, or its metadata was"
                                    + " deleted"));
        }
        MetadataLoader.Loaded loaded;
        try {
            loaded = MetadataLoader.load(store, metadataLocation, classLoader);
        } catch (IOException | RuntimeException e) {
            if (e instanceof java.nio.file.AccessDeniedException) {
                throw (IOException) e;
            }
            return failed(
                    directory,
                    Finding.of(
                            Finding.Kind.UNREADABLE_METADATA,
                            metadataLocation.toString(),
                            "Cannot read "
                                    + metadataLocation
                                    + " ("
                                    + metadataObject.get().size()
                                    + " bytes): "
                                    + e));
        }
        CheckpointContents contents = CheckpointContents.of(loaded.metadata);
        List<Finding> findings = new ArrayList<>(contents.findings());
        contents.keyGroups().values().forEach(op -> findings.addAll(KeyGroupCoverage.check(op)));
        // Manifests first: in deep mode their checksums read the segments, which the object
        // checks then only HEAD. Object findings are listed first all the same.
        ManifestCheck manifests = new ManifestCheck(store, threads, progress);
        List<Finding> manifestFindings = manifests.check(contents.incrementalHandles(), deep);
        findings.addAll(
                new ObjectChecker(store, threads, progress)
                        .check(contents.objects(), deep, manifests.checksummed()));
        findings.addAll(manifestFindings);
        long bytes = contents.objects().stream().mapToLong(ReferencedObject::expectedSize).sum();
        return new InspectionReport(
                directory,
                loaded.metadata.getCheckpointId(),
                loaded.version,
                contents.objects().size(),
                bytes,
                contents.inlinedBytes(),
                findings);
    }

    /**
     * Previews a restore of the checkpoint at {@code pointer} with {@code parallelism}: per keyed
     * subtask, the bytes and GET requests it would download and the depth of incremental chains.
     */
    public RestorePlan plan(String pointer, int parallelism) throws IOException {
        if (parallelism < 1) {
            throw new IllegalArgumentException(
                    "Invalid parallelism: " + parallelism + " (must be ≥ 1)");
        }
        ObjectLocation metadataLocation = MetadataLoader.metadataOf(pointer);
        CheckpointContents contents =
                CheckpointContents.of(
                        MetadataLoader.load(store, metadataLocation, classLoader).metadata);
        return new RestorePlan(
                metadataLocation.parent().toString(),
                parallelism,
                new RestorePlanner(store).plan(contents, parallelism));
    }

    /**
     * The history of the job directory: every retained checkpoint (fast-checked), the newest one's
     * key groups and restore plans at its own parallelism and at {@code parallelism} (0: only its
     * own), and the space the directory takes, with unreferenced objects older than {@code grace}
     * counted as orphans. Deletes nothing.
     */
    public JobReport report(String jobDirectory, int parallelism, Duration grace, Instant now)
            throws IOException {
        return new JobReporter(this, store, classLoader)
                .report(jobDirectory, parallelism, grace, now);
    }

    /**
     * Every {@code chk-<n>} and {@code savepoint-*} directory below {@code directory}, newest
     * first.
     */
    public List<CheckpointSummary> list(String directory) throws IOException {
        ObjectLocation base = ObjectLocation.parse(directory);
        List<ObjectLocation> subdirectories = store.listDirectory(base).subdirectories();
        List<CheckpointSummary> summaries = new ArrayList<>();
        int done = 0;
        for (ObjectLocation subdirectory : subdirectories) {
            String name = subdirectory.name();
            Matcher checkpoint = CHECKPOINT_DIR.matcher(name);
            boolean isCheckpoint = checkpoint.matches();
            if (isCheckpoint || name.startsWith("savepoint-")) {
                summaries.add(
                        summarize(
                                subdirectory,
                                isCheckpoint ? Long.parseLong(checkpoint.group(1)) : -1));
            }
            progress.step("listing checkpoints", ++done, subdirectories.size());
        }
        summaries.sort(
                Comparator.comparingLong(CheckpointSummary::checkpointId)
                        .thenComparing(CheckpointSummary::lastModified)
                        .reversed());
        return summaries;
    }

    /** The newest checkpoint in {@code jobDirectory} that passes fast validation, if any. */
    public Optional<InspectionReport> latestValid(String jobDirectory) throws IOException {
        for (CheckpointSummary summary : list(jobDirectory)) {
            if (summary.status() == Status.COMPLETED && summary.checkpointId() >= 0) {
                InspectionReport report = validate(summary.pointer(), false);
                if (report.isValid()) {
                    return Optional.of(report);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Finds objects in {@code jobDirectory} that no retained {@code _metadata} references and that
     * are older than {@code grace}, and deletes them if {@code delete}. The live set comes from
     * every {@code _metadata} below the job directory's parent, since a job restored in CLAIM mode
     * references files of the job it restored from. If any {@code _metadata} cannot be read (for
     * example because Flink deleted it meanwhile), nothing is deleted. Multipart uploads below the
     * job directory that were started before the grace period and never completed (a TaskManager
     * died while writing state) are reported too, and aborted if {@code delete}. A state backend's
     * working files in the job directory ({@link #isWorkingFile}) are counted, never deleted.
     */
    public OrphanReport orphans(String jobDirectory, Duration grace, boolean delete, Instant now)
            throws IOException {
        ObjectLocation job = ObjectLocation.parse(jobDirectory).withoutTrailingSlash();
        List<ObjectInfo> candidates;
        Set<ObjectLocation> live;
        for (int attempt = 1; ; attempt++) {
            candidates = listAll(job.child(""));
            try {
                live = liveObjects(job.parent());
                break;
            } catch (IOException e) {
                // Flink subsumed a checkpoint between our listing and our read: list again.
                if (attempt == ORPHAN_ATTEMPTS
                        || !(e.getCause() instanceof java.io.FileNotFoundException)) {
                    throw e;
                }
            }
        }
        Set<ObjectLocation> referenced = live;
        Instant cutoff = now.minus(grace);
        List<ObjectInfo> orphans = new ArrayList<>();
        int tooYoung = 0;
        int workingFiles = 0;
        for (ObjectInfo object : candidates) {
            if (live.contains(object.location())) {
                continue;
            }
            if (isWorkingFile(object.location())) {
                workingFiles++;
            } else if (object.lastModified().isBefore(cutoff)) {
                orphans.add(object);
            } else {
                tooYoung++;
            }
        }
        if (delete && !orphans.isEmpty()) {
            store.deleteBatch(
                    orphans.stream().map(ObjectInfo::location).collect(Collectors.toList()));
        }
        List<PendingUpload> uploads =
                abandonedUploads(job.child("").toString(), grace, delete, now);
        int liveInJob =
                (int) candidates.stream().filter(o -> referenced.contains(o.location())).count();
        return new OrphanReport(
                job.toString(), liveInJob, orphans, uploads, tooYoung, workingFiles, delete);
    }

    /**
     * Whether a state backend keeps this object in the job directory as a working file: ForSt with
     * {@code state.backend.forst.primary-dir: checkpoint-dir} keeps its live database under {@code
     * shared/op_<operator>_attempt_<n>/}, where a file is unreferenced until a checkpoint takes it,
     * however old it is.
     */
    static boolean isWorkingFile(ObjectLocation location) {
        return WORKING_DIRECTORY.matcher(location.key()).find();
    }

    /**
     * The multipart uploads below {@code prefix} that were started before {@code grace} and never
     * completed nor aborted, aborted if {@code abort}; one LIST request per 1000 uploads. Besides a
     * job directory, {@code prefix} may be the output of a {@code FileSink} on {@code s3://}: a
     * checkpoint that fails after the sink closed or persisted a file leaves that file's upload
     * pending for good, as with Flink's own S3 file systems. The grace must exceed the longest time
     * a part file stays open, and the longest time a stopped job's retained checkpoint or savepoint
     * waits to be restored, since its in-progress files resume their uploads.
     */
    public List<PendingUpload> abandonedUploads(
            String prefix, Duration grace, boolean abort, Instant now) throws IOException {
        Instant cutoff = now.minus(grace);
        List<PendingUpload> abandoned =
                store.listMultipartUploads(ObjectLocation.parse(prefix)).stream()
                        .filter(upload -> upload.initiated().isBefore(cutoff))
                        .collect(Collectors.toList());
        if (abort) {
            for (PendingUpload upload : abandoned) {
                store.abortMultipartUpload(upload.location(), upload.uploadId());
            }
        }
        return abandoned;
    }

    /**
     * The tail objects of in-progress files ({@code .<name>.tail.<uuid>}, see {@link TailObjects})
     * below {@code prefix} that are older than {@code grace}, deleted if {@code delete}. Flink
     * deletes each tail once a later checkpoint has completed; those of checkpoints that failed,
     * and those a failover resumed from, stay. Lists every object below the prefix. The grace must
     * satisfy the same bounds as for {@link #abandonedUploads}.
     */
    public List<ObjectInfo> abandonedTails(
            String prefix, Duration grace, boolean delete, Instant now) throws IOException {
        Instant cutoff = now.minus(grace);
        List<ObjectInfo> abandoned =
                listAll(ObjectLocation.parse(prefix)).stream()
                        .filter(o -> TailObjects.isTail(o.location()))
                        .filter(o -> o.lastModified().isBefore(cutoff))
                        .collect(Collectors.toList());
        if (delete && !abandoned.isEmpty()) {
            store.deleteBatch(
                    abandoned.stream().map(ObjectInfo::location).collect(Collectors.toList()));
        }
        return abandoned;
    }

    Set<ObjectLocation> liveObjects(ObjectLocation checkpointsBase) throws IOException {
        List<ObjectLocation> metadataFiles =
                listAll(checkpointsBase.child("")).stream()
                        .map(ObjectInfo::location)
                        .filter(l -> l.name().equals(MetadataLoader.METADATA))
                        .collect(Collectors.toList());
        Set<ObjectLocation> live = new HashSet<>(metadataFiles);
        int done = 0;
        for (ObjectLocation metadata : metadataFiles) {
            CheckpointMetadata loaded;
            try {
                loaded = MetadataLoader.load(store, metadata, classLoader).metadata;
            } catch (IOException | RuntimeException e) {
                throw new IOException(
                        "Cannot read "
                                + metadata
                                + " while collecting the objects that checkpoints reference, so"
                                + " nothing was deleted. If Flink just subsumed that checkpoint,"
                                + " run again; otherwise validate it.",
                        e);
            }
            for (ReferencedObject object : CheckpointContents.of(loaded).objects()) {
                live.add(object.location());
            }
            progress.step("reading checkpoint metadata", ++done, metadataFiles.size());
        }
        return live;
    }

    private CheckpointSummary summarize(ObjectLocation directory, long checkpointId)
            throws IOException {
        DirectoryListing listing = store.listDirectory(directory);
        List<ObjectInfo> objects = listing.objects();
        boolean committed =
                objects.stream().anyMatch(o -> o.location().name().equals(MetadataLoader.METADATA));
        Instant lastModified =
                objects.stream()
                        .map(ObjectInfo::lastModified)
                        .max(Comparator.naturalOrder())
                        .orElse(Instant.EPOCH);
        return new CheckpointSummary(
                directory.withoutTrailingSlash().toString(),
                checkpointId,
                committed ? Status.COMPLETED : Status.INCOMPLETE,
                objects.size(),
                objects.stream().mapToLong(ObjectInfo::size).sum(),
                lastModified);
    }

    List<ObjectInfo> listAll(ObjectLocation prefix) throws IOException {
        try (Stream<ObjectInfo> objects = store.list(prefix)) {
            return objects.collect(Collectors.toList());
        }
    }

    private static InspectionReport failed(String directory, Finding finding) {
        return new InspectionReport(directory, -1, null, 0, 0, 0, List.of(finding));
    }
}
