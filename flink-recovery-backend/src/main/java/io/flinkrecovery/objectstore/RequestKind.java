package io.flinkrecovery.objectstore;

/** The kinds of request the object store counts; each HTTP attempt counts once. */
public enum RequestKind {
    /** A single-request object write (PutObject). */
    PUT,
    /** One part of a multipart upload (UploadPart). */
    MULTIPART_PART,
    /** Creating, completing or aborting a multipart upload. */
    MULTIPART_CONTROL,
    GET,
    HEAD,
    /** A page of ListObjectsV2 or of ListMultipartUploads. */
    LIST,
    /** A batched delete (DeleteObjects) or a single DeleteObject. */
    DELETE,
    /** Anything else, such as HeadBucket. */
    OTHER
}
