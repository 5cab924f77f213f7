package io.ext3ns.stream.origin;

import io.ext3ns.fs.check.CheckOptions;
import io.ext3ns.fs.check.CheckReport;
import io.ext3ns.fs.check.VolumeChecker;
import io.ext3ns.fs.engine.EngineOptions;
import io.ext3ns.fs.engine.Ext3FileSystem;
import io.ext3ns.fs.testing.TestImages;
import io.ext3ns.sda.FileMember;
import io.ext3ns.stream.server.ServerConfig;
import io.ext3ns.stream.server.StreamingServer;
import io.ext3ns.stream.session.DataPath;
import io.ext3ns.stream.testkit.TestAsset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One edge node for the tests: an image of 64 KiB blocks (so e2fsck can judge it too), the engine open on it, an
 * {@link OriginStore} over it and the streaming server over that, on ephemeral ports. {@link #close()} stops the
 * server and the fills and closes the engine, keeping the image, so a test can check it and start again.
 */
final class Edge implements AutoCloseable {
    static final int BLOCK = 64 * 1024;
    final Path image;
    final Ext3FileSystem fs;
    final OriginStore store;
    final StreamingServer server;

    private Edge(Path image, Ext3FileSystem fs, OriginStore store, StreamingServer server) {
        this.image = image;
        this.fs = fs;
        this.store = store;
        this.server = server;
    }

    /** Formats {@code image} at {@code bytes}. */
    static Path format(Path image, long bytes) throws Exception {
        TestImages.format(image, bytes, BLOCK);
        return image;
    }

    /** Opens the edge on an existing image, filling from {@code origin} (mount -o style keys). */
    static Edge start(Path image, Map<String, String> origin) throws Exception {
        Ext3FileSystem fs = Ext3FileSystem.open(new FileMember(image, false),
                EngineOptions.defaults().withCaches(8L << 20, 16L << 20));
        OriginStore store = null;
        try {
            store = OriginStore.open(fs, OriginConfig.fromOptions(origin));
            StreamingServer server = StreamingServer.start(store, ServerConfig.defaults()
                    .withBindAddress(java.net.InetAddress.getLoopbackAddress()).withPorts(0, 0)
                    .withEngine(DataPath.BATCHED, 2, 32L << 20), List.of(store.metrics()));
            return new Edge(image, fs, store, server);
        } catch (Exception e) {
            if (store != null) {
                store.close();
            }
            fs.close();
            throw e;
        }
    }

    String http(String path) {
        return "http://127.0.0.1:" + server.httpPort() + path;
    }

    String rtsp(String path) {
        return "rtsp://127.0.0.1:" + server.rtspPort() + path;
    }

    @Override
    public void close() throws IOException {
        try {
            server.close();
        } finally {
            try {
                store.close();
            } finally {
                fs.close();
            }
        }
    }

    /** Our checker and e2fsck -fn find nothing to fix on a closed edge's image. */
    static void assertFsckClean(Path image) throws Exception {
        try (FileMember device = new FileMember(image, true)) {
            CheckReport report = VolumeChecker.check(device, CheckOptions.READ_ONLY_FORCED);
            if (!report.clean()) {
                throw new AssertionError("fsck.ext3ns " + image + ": " + report);
            }
        }
        TestAsset.run(List.of("e2fsck", "-fn", image.toString()), 120); // fails on any exit status but 0
    }
}
