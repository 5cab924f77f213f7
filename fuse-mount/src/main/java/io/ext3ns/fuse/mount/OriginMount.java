package io.ext3ns.fuse.mount;

import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.stream.origin.OriginConfig;
import io.ext3ns.stream.origin.OriginStore;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code -o origin=URL[,origin_endpoint=,origin_region=,origin_credentials=,origin_high=,origin_low=,
 * origin_revalidate=]}: the mount becomes an edge store (docs/edge.md). The FUSE operations and the streaming
 * server both see the {@link OriginStore}, so an open through the mount fills a title as a player's request does.
 */
final class OriginMount {
    private OriginMount() {
    }

    /** Checks the origin options at parse time (a bad one fails the mount before anything is opened). */
    static void validate(Map<String, String> services) {
        Map<String, String> o = originOptions(services);
        if (!o.isEmpty()) {
            if (!o.containsKey("origin")) {
                throw new IllegalArgumentException("mount options " + o.keySet() + " need origin=URL");
            }
            OriginConfig.fromOptions(o);
        }
    }

    /** The edge store over {@code fs}, or null when no origin= was given. */
    static OriginStore open(FileSystem fs, Map<String, String> services, boolean readOnly) throws IOException {
        Map<String, String> o = originOptions(services);
        if (o.isEmpty()) {
            return null;
        }
        if (readOnly) {
            throw new IOException("origin= needs a read-write mount: titles are filled into the volume");
        }
        return OriginStore.open(fs, OriginConfig.fromOptions(o));
    }

    /** The service options the mount extensions get: all but the origin's. */
    static Map<String, String> withoutOrigin(Map<String, String> services) {
        Map<String, String> rest = new HashMap<>(services);
        rest.keySet().removeAll(OriginConfig.KEYS);
        return rest;
    }

    private static Map<String, String> originOptions(Map<String, String> services) {
        Map<String, String> o = new HashMap<>(services);
        o.keySet().retainAll(OriginConfig.KEYS);
        return o;
    }
}
