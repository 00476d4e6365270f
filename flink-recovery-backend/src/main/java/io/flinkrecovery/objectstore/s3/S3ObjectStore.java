package io.flinkrecovery.objectstore.s3;

import org.apache.flink.util.TemporaryClassLoaderContext;

import io.flinkrecovery.objectstore.DirectoryListing;
import io.flinkrecovery.objectstore.ObjectInfo;
import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectOutputStream;
import io.flinkrecovery.objectstore.ObjectStore;
import io.flinkrecovery.objectstore.PendingUpload;
import io.flinkrecovery.objectstore.RequestCounters;
import io.flinkrecovery.objectstore.SeekableInputStream;
import io.flinkrecovery.objectstore.UploadThreadFactory;
import io.flinkrecovery.objectstore.UploadedPart;
import io.flinkrecovery.objectstore.WriteMode;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/** {@link ObjectStore} on an AWS SDK v2 {@link S3Client}. */
public final class S3ObjectStore implements ObjectStore {

    /**
     * User metadata that tags each conditional write with a unique id. When the SDK retries a
     * conditional create whose first attempt did succeed, the retry gets 412; the tag tells our own
     * earlier write apart from someone else's object (as Trino does).
     */
    static final String WRITE_ID_METADATA = "flink-recovery-write-id";

    static final int MAX_KEYS_PER_DELETE = 1000;

    private static final ClassLoader PLUGIN_CLASS_LOADER = S3ObjectStore.class.getClassLoader();

    private final S3Client client;
    private final S3ClientSettings settings;
    private final RequestCounters counters;
    private final ExecutorService uploadExecutor;
    private final S3Multipart multipart = new S3Multipart(this);

    /**
     * Stores outlive the job that first asked for them (see {@link S3ObjectStores}), so nothing
     * they create may hold on to that job's user-code classloader, which Flink closes when the job
     * ends: the client is built, and the upload threads run, with this plugin's own classloader as
     * context classloader. Otherwise the next job's uploads fail with "Trying to access closed
     * classloader" as soon as the HTTP client opens a connection on an upload thread.
     */
    S3ObjectStore(S3ClientSettings settings) {
        this.settings = settings;
        this.counters = new RequestCounters();
        try (TemporaryClassLoaderContext ignored =
                TemporaryClassLoaderContext.of(PLUGIN_CLASS_LOADER)) {
            this.client = S3ClientFactory.create(settings, counters);
        }
        this.uploadExecutor =
                Executors.newCachedThreadPool(new UploadThreadFactory("flink-recovery-s3-upload-"));
    }

    @Override
    public void put(ObjectLocation location, byte[] data) throws IOException {
        putObject(location, bodyOf(data, data.length), data.length, WriteMode.OVERWRITE);
    }

    @Override
    public void putIfAbsent(ObjectLocation location, byte[] data) throws IOException {
        putObject(location, bodyOf(data, data.length), data.length, WriteMode.CREATE_NEW);
    }

    /** {@code data[0, length)} as a request body, read again on each retry. */
    static ContentStreamProvider bodyOf(byte[] data, int length) {
        return () -> new ByteArrayInputStream(data, 0, length);
    }

    /** Writes the {@code length} bytes of {@code body} in one PUT; each retry reads them again. */
    void putObject(ObjectLocation location, ContentStreamProvider body, int length, WriteMode mode)
            throws IOException {
        PutObjectRequest.Builder request =
                PutObjectRequest.builder()
                        .bucket(location.bucket())
                        .key(location.key())
                        .contentLength((long) length);
        ServerSideEncryptionHeaders.apply(settings, request);
        String writeId = null;
        if (mode == WriteMode.CREATE_NEW) {
            writeId = newWriteId();
            request.ifNoneMatch("*").metadata(Map.of(WRITE_ID_METADATA, writeId));
        }
        try {
            client.putObject(
                    request.build(),
                    RequestBody.fromContentProvider(body, length, "application/octet-stream"));
        } catch (SdkException e) {
            if (writeId != null
                    && S3Errors.isPreconditionFailed(e)
                    && isOwnWrite(location, writeId)) {
                return;
            }
            throw translate(mode == WriteMode.CREATE_NEW ? "create" : "write", location, e);
        }
    }

    @Override
    public ObjectOutputStream create(ObjectLocation location, WriteMode mode) {
        return new S3OutputStream(this, location, mode);
    }

    @Override
    public SeekableInputStream open(ObjectLocation location) {
        return new S3InputStream(this, location, 0, -1);
    }

    @Override
    public SeekableInputStream openRange(ObjectLocation location, long offset, long length) {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException(
                    "Invalid range of " + location + ": offset " + offset + ", length " + length);
        }
        return new S3InputStream(this, location, offset, offset + length);
    }

    @Override
    public Optional<ObjectInfo> head(ObjectLocation location) throws IOException {
        return headResponse(location)
                .map(
                        r ->
                                new ObjectInfo(
                                        location,
                                        r.contentLength(),
                                        r.lastModified(),
                                        r.metadata().get(WRITE_ID_METADATA)));
    }

    @Override
    public Stream<ObjectInfo> list(ObjectLocation prefix) throws IOException {
        ListObjectsV2Request request =
                ListObjectsV2Request.builder().bucket(prefix.bucket()).prefix(prefix.key()).build();
        // Fetch the first page eagerly, so that a missing bucket or bad credentials fail here.
        ListObjectsV2Response first;
        try {
            first = client.listObjectsV2(request);
        } catch (SdkException e) {
            throw translate("list", prefix, e);
        }
        return Stream.iterate(
                        first,
                        page -> page != null,
                        page -> page.isTruncated() ? nextPage(prefix, request, page) : null)
                .flatMap(page -> page.contents().stream())
                .map(object -> toInfo(prefix.bucket(), object));
    }

    private ListObjectsV2Response nextPage(
            ObjectLocation prefix, ListObjectsV2Request request, ListObjectsV2Response page) {
        try {
            return client.listObjectsV2(
                    request.toBuilder().continuationToken(page.nextContinuationToken()).build());
        } catch (SdkException e) {
            throw new UncheckedIOException(translate("list", prefix, e));
        }
    }

    @Override
    public DirectoryListing listDirectory(ObjectLocation directory) throws IOException {
        String prefix = directory.asDirectoryKey();
        ListObjectsV2Request request =
                ListObjectsV2Request.builder()
                        .bucket(directory.bucket())
                        .prefix(prefix)
                        .delimiter("/")
                        .build();
        List<ObjectInfo> objects = new ArrayList<>();
        List<ObjectLocation> subdirectories = new ArrayList<>();
        try {
            ListObjectsV2Response page = client.listObjectsV2(request);
            while (true) {
                for (S3Object object : page.contents()) {
                    if (!object.key().equals(prefix)) {
                        objects.add(toInfo(directory.bucket(), object));
                    }
                }
                for (CommonPrefix common : page.commonPrefixes()) {
                    subdirectories.add(ObjectLocation.of(directory.bucket(), common.prefix()));
                }
                if (!page.isTruncated()) {
                    break;
                }
                page =
                        client.listObjectsV2(
                                request.toBuilder()
                                        .continuationToken(page.nextContinuationToken())
                                        .build());
            }
        } catch (SdkException e) {
            throw translate("list", directory, e);
        }
        return new DirectoryListing(objects, subdirectories);
    }

    @Override
    public void deleteBatch(Collection<ObjectLocation> locations) throws IOException {
        Map<String, List<ObjectLocation>> byBucket = new LinkedHashMap<>();
        for (ObjectLocation location : locations) {
            byBucket.computeIfAbsent(location.bucket(), b -> new ArrayList<>()).add(location);
        }
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, List<ObjectLocation>> bucket : byBucket.entrySet()) {
            List<ObjectLocation> all = bucket.getValue();
            for (int start = 0; start < all.size(); start += MAX_KEYS_PER_DELETE) {
                List<ObjectLocation> batch =
                        all.subList(start, Math.min(all.size(), start + MAX_KEYS_PER_DELETE));
                failures.addAll(deleteOneBatch(bucket.getKey(), batch));
            }
        }
        if (!failures.isEmpty()) {
            throw new IOException(
                    "Cannot delete "
                            + failures.size()
                            + " object(s): "
                            + String.join(", ", failures));
        }
    }

    private List<String> deleteOneBatch(String bucket, List<ObjectLocation> batch)
            throws IOException {
        List<ObjectIdentifier> ids = new ArrayList<>(batch.size());
        for (ObjectLocation location : batch) {
            ids.add(ObjectIdentifier.builder().key(location.key()).build());
        }
        DeleteObjectsResponse response;
        try {
            response =
                    client.deleteObjects(
                            b ->
                                    b.bucket(bucket)
                                            .delete(
                                                    Delete.builder()
                                                            .objects(ids)
                                                            .quiet(true)
                                                            .build()));
        } catch (SdkException e) {
            throw translate("delete " + batch.size() + " objects below", batch.get(0), e);
        }
        List<String> failures = new ArrayList<>();
        for (S3Error error : response.errors()) {
            if (!"NoSuchKey".equals(error.code())) {
                failures.add(ObjectLocation.of(bucket, error.key()) + " (" + error.code() + ")");
            }
        }
        return failures;
    }

    @Override
    public String startMultipartUpload(ObjectLocation location, String writeId) throws IOException {
        return multipart.start(location, writeId);
    }

    @Override
    public UploadedPart uploadPart(
            ObjectLocation location, String uploadId, int partNumber, byte[] data, int length)
            throws IOException {
        return multipart.uploadPart(location, uploadId, partNumber, bodyOf(data, length), length);
    }

    /** {@link #uploadPart(ObjectLocation, String, int, byte[], int)} of any request body. */
    UploadedPart uploadPart(
            ObjectLocation location,
            String uploadId,
            int partNumber,
            ContentStreamProvider body,
            int length)
            throws IOException {
        return multipart.uploadPart(location, uploadId, partNumber, body, length);
    }

    @Override
    public void completeMultipartUpload(
            ObjectLocation location, String uploadId, List<UploadedPart> parts) throws IOException {
        multipart.complete(location, uploadId, parts);
    }

    @Override
    public void abortMultipartUpload(ObjectLocation location, String uploadId) throws IOException {
        multipart.abort(location, uploadId);
    }

    @Override
    public List<PendingUpload> listMultipartUploads(ObjectLocation prefix) throws IOException {
        return multipart.list(prefix);
    }

    @Override
    public RequestCounters counters() {
        return counters;
    }

    @Override
    public void close() {
        uploadExecutor.shutdownNow();
        client.close();
    }

    // ------------------------------------------------------------------------
    //  Shared with the streams of this package
    // ------------------------------------------------------------------------

    S3Client client() {
        return client;
    }

    S3ClientSettings settings() {
        return settings;
    }

    ExecutorService uploadExecutor() {
        return uploadExecutor;
    }

    IOException translate(String operation, ObjectLocation location, SdkException e) {
        return S3Errors.translate(operation, location, settings, e);
    }

    static String newWriteId() {
        return UUID.randomUUID().toString();
    }

    /** Whether the object at {@code location} was written by the attempt tagged {@code writeId}. */
    boolean isOwnWrite(ObjectLocation location, String writeId) throws IOException {
        return headResponse(location)
                .map(r -> writeId.equals(r.metadata().get(WRITE_ID_METADATA)))
                .orElse(false);
    }

    private Optional<HeadObjectResponse> headResponse(ObjectLocation location) throws IOException {
        try {
            return Optional.of(
                    client.headObject(b -> b.bucket(location.bucket()).key(location.key())));
        } catch (SdkException e) {
            if (S3Errors.isNotFound(e)) {
                // HEAD has no body, so a missing bucket also looks like 404: tell them apart.
                if (!bucketExists(location)) {
                    throw new FileNotFoundException(
                            "Cannot read "
                                    + location
                                    + ": bucket '"
                                    + location.bucket()
                                    + "' does not exist at "
                                    + settings.describeEndpoint()
                                    + ". Create it, or fix the bucket in the path.");
                }
                return Optional.empty();
            }
            throw translate("read metadata of", location, e);
        }
    }

    private boolean bucketExists(ObjectLocation location) throws IOException {
        try {
            client.listObjectsV2(b -> b.bucket(location.bucket()).maxKeys(1));
            return true;
        } catch (SdkException e) {
            if (e instanceof software.amazon.awssdk.services.s3.model.NoSuchBucketException
                    || (S3Errors.isNotFound(e))) {
                return false;
            }
            throw translate("list", location, e);
        }
    }

    private static ObjectInfo toInfo(String bucket, S3Object object) {
        return new ObjectInfo(
                ObjectLocation.of(bucket, object.key()), object.size(), object.lastModified());
    }
}
