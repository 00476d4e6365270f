package io.flinkrecovery.objectstore.s3;

import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectStore;
import io.flinkrecovery.objectstore.PendingUpload;
import io.flinkrecovery.objectstore.UploadedPart;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsRequest;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The multipart calls of {@link S3ObjectStore} that a caller drives part by part, as Flink's
 * recoverable writer does: unlike {@link S3OutputStream}, the upload outlives the process that
 * started it, so ids and ETags go back to the caller.
 */
final class S3Multipart {

    private final S3ObjectStore store;

    S3Multipart(S3ObjectStore store) {
        this.store = store;
    }

    String start(ObjectLocation location, String writeId) throws IOException {
        CreateMultipartUploadRequest.Builder request =
                CreateMultipartUploadRequest.builder()
                        .bucket(location.bucket())
                        .key(location.key())
                        .metadata(Map.of(S3ObjectStore.WRITE_ID_METADATA, writeId));
        ServerSideEncryptionHeaders.apply(store.settings(), request);
        try {
            return client().createMultipartUpload(request.build()).uploadId();
        } catch (SdkException e) {
            throw store.translate("start multipart upload of", location, e);
        }
    }

    /** Uploads the {@code length} bytes of {@code body}; each retry reads them again. */
    UploadedPart uploadPart(
            ObjectLocation location,
            String uploadId,
            int partNumber,
            ContentStreamProvider body,
            int length)
            throws IOException {
        if (partNumber < 1 || partNumber > ObjectStore.MAX_PARTS) {
            throw new IOException(
                    "Cannot upload part "
                            + partNumber
                            + " of "
                            + location
                            + ": S3 allows parts 1 to "
                            + ObjectStore.MAX_PARTS
                            + " in one upload");
        }
        try {
            String etag =
                    client().uploadPart(
                                    b ->
                                            b.bucket(location.bucket())
                                                    .key(location.key())
                                                    .uploadId(uploadId)
                                                    .partNumber(partNumber)
                                                    .contentLength((long) length),
                                    RequestBody.fromContentProvider(
                                            body, length, "application/octet-stream"))
                            .eTag();
            return new UploadedPart(partNumber, etag, length);
        } catch (SdkException e) {
            throw store.translate(
                    "upload part " + partNumber + " of multipart upload " + uploadId + " of",
                    location,
                    e);
        }
    }

    void complete(ObjectLocation location, String uploadId, List<UploadedPart> parts)
            throws IOException {
        List<CompletedPart> completed =
                parts.stream()
                        .sorted(Comparator.comparingInt(UploadedPart::number))
                        .map(
                                p ->
                                        CompletedPart.builder()
                                                .partNumber(p.number())
                                                .eTag(p.etag())
                                                .build())
                        .collect(Collectors.toList());
        try {
            client().completeMultipartUpload(
                            b ->
                                    b.bucket(location.bucket())
                                            .key(location.key())
                                            .uploadId(uploadId)
                                            .multipartUpload(
                                                    CompletedMultipartUpload.builder()
                                                            .parts(completed)
                                                            .build()));
        } catch (SdkException e) {
            throw store.translate("complete multipart upload " + uploadId + " of", location, e);
        }
    }

    void abort(ObjectLocation location, String uploadId) throws IOException {
        try {
            client().abortMultipartUpload(
                            b ->
                                    b.bucket(location.bucket())
                                            .key(location.key())
                                            .uploadId(uploadId));
        } catch (SdkException e) {
            if (S3Errors.isNoSuchUpload(e)) {
                return;
            }
            throw store.translate("abort multipart upload " + uploadId + " of", location, e);
        }
    }

    List<PendingUpload> list(ObjectLocation prefix) throws IOException {
        ListMultipartUploadsRequest request =
                ListMultipartUploadsRequest.builder()
                        .bucket(prefix.bucket())
                        .prefix(prefix.key())
                        .build();
        List<PendingUpload> uploads = new ArrayList<>();
        try {
            ListMultipartUploadsResponse page = client().listMultipartUploads(request);
            while (true) {
                for (MultipartUpload upload : page.uploads()) {
                    uploads.add(
                            new PendingUpload(
                                    ObjectLocation.of(prefix.bucket(), upload.key()),
                                    upload.uploadId(),
                                    upload.initiated()));
                }
                if (!Boolean.TRUE.equals(page.isTruncated())) {
                    break;
                }
                page =
                        client().listMultipartUploads(
                                        request.toBuilder()
                                                .keyMarker(page.nextKeyMarker())
                                                .uploadIdMarker(page.nextUploadIdMarker())
                                                .build());
            }
        } catch (SdkException e) {
            throw store.translate("list multipart uploads below", prefix, e);
        }
        return uploads;
    }

    private S3Client client() {
        return store.client();
    }
}
