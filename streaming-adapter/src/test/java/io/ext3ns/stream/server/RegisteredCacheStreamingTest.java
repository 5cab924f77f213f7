package io.ext3ns.stream.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.engine.Ext3FileSystem;
import io.ext3ns.fs.cache.UnitSize;
import io.ext3ns.sda.IoEngine;
import io.ext3ns.sda.StreamDiskArray;
import io.ext3ns.stream.session.DataPath;
import io.ext3ns.stream.session.EngineConfig;
import io.ext3ns.stream.session.SessionEnd;
import io.ext3ns.stream.session.SessionOptions;
import io.ext3ns.stream.session.SessionState;
import io.ext3ns.stream.session.StreamSession;
import io.ext3ns.stream.session.StreamingEngine;
import io.ext3ns.stream.source.FsMediaSource;
import io.ext3ns.stream.testing.TestStore;
import io.ext3ns.stream.testkit.RtpReceiver;
import io.ext3ns.stream.testkit.TestAsset;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The block cache over a Stream Disk Array volume: on the io_uring engine its units come from a huge-page arena
 * fs-core registers with the array, so every fill goes as READ_FIXED; on the thread engine they are plain units.
 * Either way HTTP and the fast RTP path send the stored bytes, and a title played again comes from the cache.
 */
class RegisteredCacheStreamingTest {
    private static final int MEMBERS = 2;

    @ParameterizedTest
    @EnumSource(value = IoEngine.class, names = {"URING", "THREADS"})
    void fillsAreFixedReadsOnIoUringAndTheStreamsSendTheStoredBytes(IoEngine engine) throws Exception {
        byte[] asset = Files.readAllBytes(TestAsset.ts());
        try (TestStore store = TestStore.createArray(TestAsset.scratch("pmem-" + engine), MEMBERS, 48L << 20,
                engine)) {
            store.addFile("/asset.ts", asset);
            store.sync();
            Ext3FileSystem fs = (Ext3FileSystem) store.fs();
            fs.dropCaches();
            StreamDiskArray array = (StreamDiskArray) store.device();
            boolean uring = array.engine() != IoEngine.THREADS;
            assertEquals(engine == IoEngine.URING, uring, "the array runs the engine asked for");
            long unitsOfAsset = (asset.length + (1 << 20) - 1) >> 20;

            long fixedBefore = array.uringTransferCounts()[0];
            try (StreamingServer server = StreamingServer.start(fs,
                    ServerConfig.defaults().withEngine(DataPath.BATCHED, 1, 8L << 20))) {
                HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.httpPort() + "/asset.ts")).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(200, r.statusCode());
                assertArrayEquals(asset, r.body(), "HTTP from the cache's units");
            }
            long fixed = array.uringTransferCounts()[0] - fixedBefore;
            if (uring) {
                assertTrue(fixed >= unitsOfAsset * MEMBERS, "every fill went as READ_FIXED on every member: "
                        + fixed + " fixed transfers for " + unitsOfAsset + " units");
            } else {
                assertEquals(0, fixed, "no io_uring on the thread engine");
            }

            long readBefore = fs.blockCacheStats().memberReadBytes();
            try (StreamingEngine streaming = new StreamingEngine(EngineConfig.of(UnitSize.M1, 8))) {
                for (int play = 0; play < 3; play++) {
                    try (RtpReceiver rx = new RtpReceiver()) {
                        StreamSession s = streaming.openUdp(new FsMediaSource(fs, "/asset.ts"),
                                DataPath.FAST, rx.address(), null, SessionOptions.defaults().withSpeed(16));
                        s.play(-1);
                        SessionEnd end = s.ended().get(30, TimeUnit.SECONDS);
                        assertEquals(SessionState.FINISHED, end.state(), () -> "ended with " + end.error());
                        assertTrue(rx.awaitBytes(asset.length, 5000));
                        assertArrayEquals(asset, rx.payloadStream(), "RTP on the fast path, " + engine);
                    }
                }
            }
            assertTrue(fs.blockCacheStats().memberReadBytes() - readBefore < 1 << 20,
                    "three plays after the download read (almost) nothing from the members: the title is cached");
        }
    }
}
