package io.ext3ns.stream.origin;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;

/**
 * Where an edge store gets the titles it does not hold (docs/edge.md): an HTTP(S) base or an S3 bucket. Keys are
 * the title's path in the store without the leading '/' ("films/a.ts"). Failures to reach the origin, or any answer
 * but the object or "no such object", are {@link io.ext3ns.stream.content.UpstreamUnavailableException}s.
 */
public interface Origin extends Closeable {
    /** The object under {@code key}, or null if the origin has none (404). */
    OriginObject head(String key) throws IOException;

    /**
     * Bytes {@code [start, end)} of {@code key}, as long as it still is {@code version} (else an IOException: the
     * object changed under the fetch). The caller closes the stream.
     */
    InputStream get(String key, OriginObject version, long start, long end) throws IOException;

    /** For logs: the origin's URL without credentials. */
    String describe();
}
