package io.ext3ns.stream.origin;

/**
 * One object of an origin as a HEAD saw it. {@link #validator()} is what the edge keeps in the title's xattr to
 * notice that the origin's object changed (ETag if the origin gives one, else size and Last-Modified).
 */
public record OriginObject(long size, String etag, long lastModifiedMillis) {
    public OriginObject {
        if (size < 0) {
            throw new IllegalArgumentException("negative object size " + size);
        }
        etag = etag == null ? "" : etag;
    }

    /** ETag, size and modification time as one token-free string (no spaces). */
    public String validator() {
        return "etag=" + etag.replace(' ', '_') + ";size=" + size + ";mtime=" + lastModifiedMillis;
    }
}
