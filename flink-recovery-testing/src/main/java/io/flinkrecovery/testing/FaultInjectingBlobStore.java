package io.flinkrecovery.testing;

import io.flinkrecovery.testing.FaultInjector.Operation;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.domain.MultipartUpload;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectResponse;
import software.amazon.awssdk.services.s3.model.DeleteObjectsRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The blob store S3Proxy serves from: it asks the {@link FaultInjector} before each client-facing
 * call, so an injected fault leaves S3Proxy as an S3 error that S3Proxy renders with its status and
 * code. S3Proxy's own bookkeeping calls (multipart stubs, conditional-write probes) are neither
 * counted nor failed.
 */
final class FaultInjectingBlobStore extends ForwardingBlobStore {

    /**
     * Prefix of the object in which S3Proxy keeps a multipart upload's metadata on the filesystem
     * and transient stores. S3Proxy refuses client keys with this prefix.
     */
    private static final String MULTIPART_STUB_PREFIX = ".s3proxy-mpu-stub-";

    private static final String HANDLER_CLASS = "org.gaul.s3proxy.S3ProxyHandler";
    private static final String COMPLETE_HANDLER_METHOD = "handleCompleteMultipartUpload";
    private static final StackWalker STACK_WALKER = StackWalker.getInstance();

    private final FaultInjector faults;

    /** The object key of each multipart upload started through this store, by upload id. */
    private final Map<String, String> uploadKeys = new ConcurrentHashMap<>();

    FaultInjectingBlobStore(BlobStore delegate, FaultInjector faults) {
        super(delegate);
        this.faults = faults;
    }

    /**
     * Accepts the server-side encryption headers (SSE-S3 and SSE-KMS) as S3 does. S3Proxy's
     * filesystem store answers any of them with 501 NotImplemented; with this, S3Proxy still checks
     * that they are well-formed (a KMS key id only with {@code aws:kms}) and refuses them on GET
     * and HEAD, as S3 does, and then stores the object unencrypted. Tests see the headers through
     * the {@link RequestRecorder}.
     */
    @Override
    public boolean supportsServerSideEncryption() {
        return true;
    }

    @Override
    public PutObjectResponse putBlob(PutObjectRequest request, InputStream payload) {
        if (!isMultipartStub(request.key())) {
            check(Operation.PUT_OBJECT, request.bucket(), request.key(), payload);
        }
        return super.putBlob(request, payload);
    }

    @Override
    public UploadPartResponse uploadMultipartPart(
            MultipartUpload mpu, UploadPartRequest request, InputStream is) {
        check(Operation.UPLOAD_PART, mpu.containerName(), mpu.blobName(), is);
        return super.uploadMultipartPart(mpu, request, is);
    }

    @Override
    public MultipartUpload initiateMultipartUpload(CreateMultipartUploadRequest request) {
        MultipartUpload mpu = super.initiateMultipartUpload(request);
        uploadKeys.put(mpu.id(), request.key());
        return mpu;
    }

    @Override
    public CompleteMultipartUploadResponse completeMultipartUpload(
            MultipartUpload mpu, CompleteMultipartUploadRequest request) {
        // COMPLETE_MULTIPART is decided in blobMetadataIfPresent, before the response is committed.
        CompleteMultipartUploadResponse response = super.completeMultipartUpload(mpu, request);
        uploadKeys.remove(mpu.id());
        return response;
    }

    @Override
    public void abortMultipartUpload(MultipartUpload mpu) {
        super.abortMultipartUpload(mpu);
        uploadKeys.remove(mpu.id());
    }

    @Override
    public ResponseInputStream<GetObjectResponse> getBlob(GetObjectRequest request) {
        check(Operation.GET_OBJECT, request.bucket(), request.key(), null);
        return super.getBlob(request);
    }

    @Override
    public HeadObjectResponse blobMetadata(HeadObjectRequest request) {
        if (!isMultipartStub(request.key())) {
            check(Operation.HEAD_OBJECT, request.bucket(), request.key(), null);
        }
        return super.blobMetadata(request);
    }

    /**
     * S3Proxy's probe for an object that may be absent. It serves S3Proxy's bookkeeping, not a
     * client's HeadObject, so it bypasses {@link #blobMetadata}. One of its calls starts every
     * CompleteMultipartUpload: the lookup of the upload's stub. COMPLETE_MULTIPART is decided there
     * because on the filesystem store S3Proxy sends 200 before it calls {@link
     * #completeMultipartUpload}, after which a failure can only be an error body inside the 200.
     */
    @Override
    public HeadObjectResponse blobMetadataIfPresent(HeadObjectRequest request) {
        if (isMultipartStub(request.key()) && calledByCompletion()) {
            String uploadId = request.key().substring(MULTIPART_STUB_PREFIX.length());
            String key = uploadKeys.getOrDefault(uploadId, request.key());
            faults.onCall(Operation.COMPLETE_MULTIPART, request.bucket(), key);
        }
        return delegate().blobMetadataIfPresent(request);
    }

    @Override
    public ListObjectsV2Response list(ListObjectsV2Request request) {
        String prefix = request.prefix() == null ? "" : request.prefix();
        check(Operation.LIST, request.bucket(), prefix, null);
        return super.list(request);
    }

    @Override
    public DeleteObjectResponse removeBlob(DeleteObjectRequest request) {
        if (!isMultipartStub(request.key())) {
            check(Operation.DELETE, request.bucket(), request.key(), null);
        }
        return super.removeBlob(request);
    }

    /**
     * DeleteObjects is one DELETE call, so a fault fails the whole request, as S3 throttling does;
     * the delegate's per-key deletes do not come back through this store.
     */
    @Override
    public DeleteObjectsResponse removeBlobs(DeleteObjectsRequest request) {
        List<String> keys =
                request.delete() == null
                        ? List.of()
                        : request.delete().objects().stream().map(ObjectIdentifier::key).toList();
        faults.onCall(Operation.DELETE, request.bucket(), keys);
        return delegate().removeBlobs(request);
    }

    private void check(Operation op, String bucket, String key, InputStream body) {
        try {
            faults.onCall(op, bucket, key);
        } catch (S3Exception e) {
            if (body != null) {
                discard(body, e);
            }
            throw e;
        }
    }

    /**
     * Reads the rejected request body to its end, so the error answers a complete request and the
     * client's keep-alive connection stays usable.
     */
    private static void discard(InputStream body, S3Exception fault) {
        try (body) {
            body.transferTo(OutputStream.nullOutputStream());
        } catch (IOException | RuntimeException e) {
            fault.addSuppressed(e);
        }
    }

    private static boolean isMultipartStub(String key) {
        return key != null && key.startsWith(MULTIPART_STUB_PREFIX);
    }

    /**
     * Whether the nearest S3Proxy handler frame is the completion itself, rather than the stub
     * removal that follows a completion or an abort.
     */
    private static boolean calledByCompletion() {
        return STACK_WALKER.walk(
                frames ->
                        frames.filter(frame -> frame.getClassName().equals(HANDLER_CLASS))
                                .findFirst()
                                .map(frame -> frame.getMethodName().equals(COMPLETE_HANDLER_METHOD))
                                .orElse(false));
    }
}
