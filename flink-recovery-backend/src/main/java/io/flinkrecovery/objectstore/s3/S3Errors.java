package io.flinkrecovery.objectstore.s3;

import io.flinkrecovery.objectstore.ObjectLocation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;

/**
 * Turns SDK exceptions into {@link IOException}s that name the operation and the location, and tell
 * the operator what to check. Messages never contain credentials.
 */
final class S3Errors {

    private S3Errors() {}

    static IOException translate(
            String operation, ObjectLocation location, String endpoint, SdkException e) {
        String prefix = "Cannot " + operation + " " + location + ": ";
        if (e instanceof S3Exception) {
            S3Exception s3 = (S3Exception) e;
            String code = s3.awsErrorDetails() != null ? s3.awsErrorDetails().errorCode() : null;
            int status = s3.statusCode();
            if ("NoSuchBucket".equals(code)) {
                return withCause(
                        new FileNotFoundException(
                                prefix
                                        + "bucket '"
                                        + location.bucket()
                                        + "' does not exist at "
                                        + endpoint
                                        + ". Create it, or fix the bucket in the path."),
                        e);
            }
            if ("NoSuchUpload".equals(code)) {
                return withCause(
                        new FileNotFoundException(
                                prefix + "no such upload (it was completed or aborted)"),
                        e);
            }
            if (status == 404) {
                return withCause(new FileNotFoundException(prefix + "no such object"), e);
            }
            if (status == 403 || "InvalidAccessKeyId".equals(code)) {
                return withCause(
                        new AccessDeniedException(
                                location.toString(),
                                null,
                                prefix
                                        + "access denied by "
                                        + endpoint
                                        + " ("
                                        + code
                                        + "). Check s3.access-key and s3.secret-key, or the"
                                        + " credentials of the AWS default chain, and the"
                                        + " bucket's policy."),
                        e);
            }
            if (status == 412) {
                return withCause(
                        new FileAlreadyExistsException(
                                location.toString(), null, prefix + "the object already exists"),
                        e);
            }
            return new IOException(
                    prefix
                            + "HTTP "
                            + status
                            + " "
                            + (code != null ? code : "")
                            + " from "
                            + endpoint,
                    e);
        }
        if (e instanceof SdkClientException) {
            return new IOException(
                    prefix
                            + "cannot reach "
                            + endpoint
                            + " ("
                            + e.getMessage()
                            + "). Check s3.endpoint and the network.",
                    e);
        }
        return new IOException(prefix + e.getMessage(), e);
    }

    static boolean isPreconditionFailed(SdkException e) {
        return e instanceof S3Exception && ((S3Exception) e).statusCode() == 412;
    }

    static boolean isNoSuchUpload(SdkException e) {
        return e instanceof S3Exception
                && ((S3Exception) e).awsErrorDetails() != null
                && "NoSuchUpload".equals(((S3Exception) e).awsErrorDetails().errorCode());
    }

    static boolean isNotFound(SdkException e) {
        return e instanceof S3Exception && ((S3Exception) e).statusCode() == 404;
    }

    private static <T extends IOException> T withCause(T exception, Throwable cause) {
        exception.initCause(cause);
        return exception;
    }
}
