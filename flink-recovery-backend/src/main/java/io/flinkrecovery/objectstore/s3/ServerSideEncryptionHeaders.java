package io.flinkrecovery.objectstore.s3;

import io.flinkrecovery.config.S3Options;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

import java.util.function.Consumer;

/**
 * The server-side encryption ({@code recovery.s3.sse.*}) that every request creating an object asks
 * for: PutObject and CreateMultipartUpload. UploadPart and CompleteMultipartUpload carry none,
 * because S3 refuses SSE-S3 and SSE-KMS headers there; the parts inherit the upload's encryption.
 */
final class ServerSideEncryptionHeaders {

    private ServerSideEncryptionHeaders() {}

    static void apply(S3ClientSettings settings, PutObjectRequest.Builder request) {
        apply(settings, request::serverSideEncryption, request::ssekmsKeyId);
    }

    static void apply(S3ClientSettings settings, CreateMultipartUploadRequest.Builder request) {
        apply(settings, request::serverSideEncryption, request::ssekmsKeyId);
    }

    /** The SDK's request builders share no interface for these two headers. */
    private static void apply(
            S3ClientSettings settings,
            Consumer<ServerSideEncryption> algorithm,
            Consumer<String> kmsKeyId) {
        switch (settings.sseType()) {
            case SSE_S3:
                algorithm.accept(ServerSideEncryption.AES256);
                break;
            case SSE_KMS:
                algorithm.accept(ServerSideEncryption.AWS_KMS);
                kmsKeyId.accept(settings.sseKmsKeyId());
                break;
            case NONE:
                break;
            default:
                throw unknown(settings.sseType());
        }
    }

    private static IllegalStateException unknown(S3Options.ServerSideEncryption type) {
        return new IllegalStateException("Unknown " + S3Options.SSE_TYPE.key() + ": " + type);
    }
}
