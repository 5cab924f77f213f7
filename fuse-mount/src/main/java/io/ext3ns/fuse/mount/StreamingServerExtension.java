package io.ext3ns.fuse.mount;

import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fuse.ops.FuseRequestMetrics;
import io.ext3ns.stream.origin.OriginStore;
import io.ext3ns.stream.server.ServerConfig;
import io.ext3ns.stream.server.StreamingServer;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code -o rtsp=PORT,http=PORT}: runs the RTSP/HTTP streaming server in the mounting process over the mount's own
 * engine, so files copied into the mount are playable at once and share one cache.
 */
public final class StreamingServerExtension implements MountExtension {
    @Override
    public Set<String> optionKeys() {
        return MountOptions.SERVICE_KEYS;
    }

    @Override
    public AutoCloseable start(FileSystem fs, Map<String, String> options) throws Exception {
        // /metrics also tells how FUSE requests fare, and on an edge (-o origin=) how the origin does
        return StreamingServer.start(fs, ServerConfig.fromMountOptions(options), fs instanceof OriginStore edge
                ? List.of(FuseRequestMetrics.PROCESS, edge.metrics()) : List.of(FuseRequestMetrics.PROCESS));
    }
}
