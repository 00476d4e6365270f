package io.flinkrecovery.objectstore.s3;

import io.flinkrecovery.objectstore.RequestCounters;
import io.flinkrecovery.objectstore.RequestKind;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectsRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * Counts every HTTP attempt the SDK sends, retries included (and also as retries), and every
 * response that asked us to slow down. Payload bytes read are counted by the input streams, which
 * see what was consumed.
 */
final class RequestCountingInterceptor implements ExecutionInterceptor {

    /** Whether this execution (one call, all its attempts) has sent an attempt already. */
    private static final ExecutionAttribute<Boolean> SENT =
            new ExecutionAttribute<>("flinkrecovery.request-sent");

    private final RequestCounters counters;

    RequestCountingInterceptor(RequestCounters counters) {
        this.counters = counters;
    }

    @Override
    public void beforeTransmission(
            Context.BeforeTransmission context, ExecutionAttributes executionAttributes) {
        RequestKind kind = kindOf(context.request());
        counters.countRequest(kind);
        if (executionAttributes.getAttribute(SENT) != null) {
            counters.countRetried();
        }
        executionAttributes.putAttribute(SENT, Boolean.TRUE);
        if (kind == RequestKind.PUT || kind == RequestKind.MULTIPART_PART) {
            // Object payload only, not the XML bodies of deletes or completions.
            context.requestBody()
                    .flatMap(body -> body.optionalContentLength())
                    .ifPresent(counters::countBytesOut);
        }
    }

    @Override
    public void afterTransmission(
            Context.AfterTransmission context, ExecutionAttributes executionAttributes) {
        int status = context.httpResponse().statusCode();
        if (status == 503 || status == 429) {
            counters.countThrottled();
        }
    }

    static RequestKind kindOf(SdkRequest request) {
        if (request instanceof PutObjectRequest) {
            return RequestKind.PUT;
        } else if (request instanceof UploadPartRequest) {
            return RequestKind.MULTIPART_PART;
        } else if (request instanceof CreateMultipartUploadRequest
                || request instanceof CompleteMultipartUploadRequest
                || request instanceof AbortMultipartUploadRequest) {
            return RequestKind.MULTIPART_CONTROL;
        } else if (request instanceof GetObjectRequest) {
            return RequestKind.GET;
        } else if (request instanceof HeadObjectRequest) {
            return RequestKind.HEAD;
        } else if (request instanceof ListObjectsV2Request
                || request instanceof ListMultipartUploadsRequest) {
            return RequestKind.LIST;
        } else if (request instanceof DeleteObjectsRequest
                || request instanceof DeleteObjectRequest) {
            return RequestKind.DELETE;
        }
        return RequestKind.OTHER;
    }
}
