package io.ext3ns.stream.content;

import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FsException;

/**
 * A store that fills from an origin (docs/edge.md) could not get a title from it: the origin is down, answered with
 * an error, or the edge has no room. {@link ContentResolver} answers it 502 (Bad Gateway; RTSP says 503); the FUSE
 * mount sees EIO.
 */
public class UpstreamUnavailableException extends FsException {
    public UpstreamUnavailableException(String message) {
        super(Errno.EIO, message);
    }

    public UpstreamUnavailableException(String message, Throwable cause) {
        super(Errno.EIO, message, cause);
    }
}
