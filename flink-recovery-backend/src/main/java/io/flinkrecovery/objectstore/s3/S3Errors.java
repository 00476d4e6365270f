package io.flinkrecovery.objectstore.s3;

import io.flinkrecovery.config.S3Options;
import io.flinkrecovery.objectstore.ObjectLocation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;

/**
 * Turns SDK exceptions into {@link IOException}s that name the operation and the location, and tell
 * the operator what to check. Messages never contain credentials.
 */
final class S3Errors {

    private S3Errors() {}

    static IOException translate(
            String operation, ObjectLocation location, S3ClientSettings settings, SdkException e) {
        String endpoint = settings.describeEndpoint();
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
            Throwable untrusted = causeOf(e, CertificateException.class);
            if (untrusted == null) {
                untrusted = causeOf(e, CertPathBuilderException.class);
            }
            if (untrusted == null) {
                untrusted = causeOf(e, CertPathValidatorException.class);
            }
            // SSLExceptions, so that callers see a failure that retrying cannot fix.
            if (untrusted != null) {
                return withCause(
                        new SSLHandshakeException(prefix + notTrusted(settings, untrusted)), e);
            }
            Throwable wrongHost = causeOf(e, SSLPeerUnverifiedException.class);
            if (wrongHost != null) {
                return withCause(
                        new SSLPeerUnverifiedException(
                                prefix
                                        + "the TLS certificate of "
                                        + endpoint
                                        + " is not for its host ("
                                        + wrongHost.getMessage()
                                        + "). Use the host name or IP address that the"
                                        + " certificate names in s3.endpoint."),
                        e);
            }
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

    private static String notTrusted(S3ClientSettings settings, Throwable cause) {
        String what = "the TLS certificate of " + settings.describeEndpoint() + " is not trusted";
        String details = " (" + cause.getMessage() + "). ";
        if (settings.truststorePath() == null) {
            return what
                    + details
                    + "Set "
                    + S3Options.TLS_TRUSTSTORE.key()
                    + " to a truststore that holds the server's certificate or the CA that signed"
                    + " it.";
        }
        return what
                + " by "
                + S3Options.TLS_TRUSTSTORE.key()
                + " "
                + settings.truststorePath()
                + details
                + "Add the server's certificate or the CA that signed it to that truststore.";
    }

    /** The outermost cause of {@code e} of the given type, or null. */
    private static Throwable causeOf(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (type.isInstance(t)) {
                return t;
            }
        }
        return null;
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
