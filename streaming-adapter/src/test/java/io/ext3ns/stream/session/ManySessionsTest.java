package io.ext3ns.stream.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.cache.UnitSize;
import io.ext3ns.stream.source.PlainFileSource;
import io.ext3ns.stream.testkit.RtpReceiver;
import io.ext3ns.stream.testkit.TestAsset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** 1,000 streams of one title start and stop on one scheduler thread; every pinned unit comes back. */
class ManySessionsTest {
    private static final int STREAMS = 1000;

    @Test
    void thousandStreamsStartAndStopWithoutLeakingUnitsOrThreads() throws Exception {
        Path asset = TestAsset.ts();
        int threadsBefore = Thread.activeCount();
        long missesBefore = PlainFileSource.cache().misses();
        long hitsBefore = PlainFileSource.cache().hits();
        try (StreamingEngine engine = new StreamingEngine(EngineConfig.of(UnitSize.K128, 32));
             RtpReceiver rx = new RtpReceiver()) {
            int engineThreads = Thread.activeCount() - threadsBefore;
            List<StreamSession> sessions = new ArrayList<>();
            for (int i = 0; i < STREAMS; i++) {
                // quarter speed: 41 s of play, so no stream reaches its end however slowly 1,000 open on a busy machine
                StreamSession s = engine.openUdp(new PlainFileSource(asset), DataPath.BATCHED, rx.address(), null,
                        SessionOptions.defaults().withSpeed(0.25));
                s.play(-1);
                sessions.add(s);
            }
            Thread.sleep(300);
            assertTrue(Thread.activeCount() - threadsBefore <= engineThreads + 2,
                    "no thread per stream: " + (Thread.activeCount() - threadsBefore) + " threads");
            assertEquals(STREAMS, engine.liveSessions());
            for (StreamSession s : sessions) {
                s.stop();
            }
            for (StreamSession s : sessions) {
                assertEquals(SessionState.STOPPED, s.ended().get(10, TimeUnit.SECONDS).state());
            }
            assertEquals(List.of(), PlainFileSource.cache().readerLeases(), "every lease released");
            assertEquals(0, engine.liveSessions());
            // one title: the 1,000 streams are within a few units of each other and share the cache's units
            long reads = PlainFileSource.cache().misses() - missesBefore;
            long shared = PlainFileSource.cache().hits() - hitsBefore;
            System.out.printf("1000 streams: %d unit reads, %d shared%n", reads, shared);
            assertTrue(shared >= STREAMS - 1, "streams of one title share units: " + shared + " shared, "
                    + reads + " read");
            assertTrue(rx.payloadBytes() > 0, "the streams were sending");
        }
    }
}
