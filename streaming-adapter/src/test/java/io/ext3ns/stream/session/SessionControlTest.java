package io.ext3ns.stream.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.cache.UnitSize;
import io.ext3ns.stream.rtp.RtpInfo;
import io.ext3ns.stream.source.PlainFileSource;
import io.ext3ns.stream.testkit.RtpReceiver;
import io.ext3ns.stream.testkit.TestAsset;
import io.ext3ns.stream.ts.NotMpegTsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** What the RTSP server relies on: PLAY at an offset, PAUSE, resume, RTP-Info, TEARDOWN, refusal of non-TS. */
class SessionControlTest {

    @ParameterizedTest
    @EnumSource(DataPath.class)
    void pauseResumeAndSeekKeepRtpInfoExact(DataPath path) throws Exception {
        Path asset = TestAsset.ts();
        byte[] file = Files.readAllBytes(asset);
        long seekTo = 188L * 7000 + 5; // not a packet boundary: rounded down
        try (StreamingEngine engine = new StreamingEngine(EngineConfig.of(UnitSize.K128, 8));
             RtpReceiver rx = new RtpReceiver()) {
            StreamSession s = engine.openUdp(new PlainFileSource(asset), path, rx.address(), null,
                    SessionOptions.defaults().withSpeed(4));
            RtpInfo first = s.play(-1);
            awaitPackets(rx, 50);
            s.pause();
            awaitEverythingSent(rx, s);
            int atPause = rx.packets().size();
            Thread.sleep(300); // a negative check: nothing may arrive while paused, however long we look
            assertEquals(atPause, rx.packets().size(), "nothing is sent while paused");
            assertEquals(SessionState.PAUSED, s.state());

            RtpReceiver.Packet p0 = rx.packets().get(0);
            assertEquals(first.sequence(), p0.sequence(), "RTP-Info seq of the first PLAY");
            assertEquals(first.rtpTime(), p0.timestamp(), "RTP-Info rtptime of the first PLAY");

            long resumeAt = s.position();
            RtpInfo resumed = s.play(-1);
            awaitPackets(rx, atPause + 20);
            s.pause();
            awaitEverythingSent(rx, s);
            RtpReceiver.Packet r0 = rx.packets().get(atPause);
            assertEquals(resumed.sequence(), r0.sequence(), "RTP-Info seq after resume");
            assertEquals(resumed.rtpTime(), r0.timestamp(), "RTP-Info rtptime after resume");
            assertArrayEquals(Arrays.copyOfRange(file, 0, (int) s.position()), rx.payloadStream(),
                    "pause and resume lose and repeat nothing (resumed at byte " + resumeAt + ")");

            int beforeSeek = rx.packets().size();
            int bytesBeforeSeek = (int) rx.payloadBytes();
            RtpInfo seeked = s.play(seekTo);
            awaitPackets(rx, beforeSeek + 10);
            s.stop();
            assertEquals(SessionState.STOPPED, s.ended().get(5, TimeUnit.SECONDS).state());
            RtpReceiver.Packet k0 = rx.packets().get(beforeSeek);
            assertEquals(seeked.sequence(), k0.sequence(), "sequence numbers run on across a seek");
            assertEquals(seeked.rtpTime(), k0.timestamp());
            byte[] afterSeek = Arrays.copyOfRange(rx.payloadStream(), bytesBeforeSeek, bytesBeforeSeek + 1316);
            assertArrayEquals(Arrays.copyOfRange(file, 188 * 7000, 188 * 7000 + 1316), afterSeek,
                    "after PLAY at an offset the stream continues from that TS packet");
            assertThrows(IllegalStateException.class, () -> s.play(-1), "a stopped session cannot play");
            assertEquals(0, engine.pool().metrics().inUse());
        }
    }

    @Test
    void contentThatIsNotMpegTsIsRefusedWithAReason() throws Exception {
        Path dir = TestAsset.scratch("not-ts");
        Path random = dir.resolve("random.bin");
        byte[] noise = new byte[188 * 100];
        new Random(1).nextBytes(noise);
        noise[0] = 0x12;
        Files.write(random, noise);
        Path odd = dir.resolve("odd.ts");
        Files.write(odd, Arrays.copyOf(Files.readAllBytes(TestAsset.ts()), 188 * 50 + 7));
        Path noPcr = dir.resolve("nopcr.ts");
        byte[] sync = new byte[188 * 20];
        for (int i = 0; i < sync.length; i += 188) {
            sync[i] = 0x47;
            sync[i + 3] = 0x10; // payload only: no adaptation field, so no PCR
        }
        Files.write(noPcr, sync);
        try (StreamingEngine engine = new StreamingEngine(EngineConfig.of(UnitSize.K128, 4));
             RtpReceiver rx = new RtpReceiver()) {
            assertRefused(engine, random, rx, "no sync byte 0x47 at byte 0");
            assertRefused(engine, odd, rx, "not a multiple of 188");
            assertRefused(engine, noPcr, rx, "no PCR");
            assertEquals(0, engine.liveSessions());
        }
    }

    @Test
    void corruptionFoundWhileStreamingEndsTheSessionWithTheReason() throws Exception {
        byte[] file = Files.readAllBytes(TestAsset.ts());
        int bad = 188 * 3000;
        file[bad] = 0x00;
        Path corrupt = TestAsset.scratch("corrupt").resolve("corrupt.ts");
        Files.write(corrupt, file);
        try (StreamingEngine engine = new StreamingEngine(EngineConfig.of(UnitSize.K128, 4));
             RtpReceiver rx = new RtpReceiver()) {
            StreamSession s = engine.openUdp(new PlainFileSource(corrupt), DataPath.FAST, rx.address(), null,
                    SessionOptions.defaults().unpaced());
            s.play(-1);
            SessionEnd end = s.ended().get(10, TimeUnit.SECONDS);
            assertEquals(SessionState.FAILED, end.state());
            assertTrue(end.error() instanceof NotMpegTsException, String.valueOf(end.error()));
            assertTrue(end.error().getMessage().contains("at byte " + bad), end.error().getMessage());
            assertEquals(0, engine.pool().metrics().inUse());
        }
    }

    private static void assertRefused(StreamingEngine engine, Path file, RtpReceiver rx, String reason)
            throws IOException {
        NotMpegTsException e = assertThrows(NotMpegTsException.class, () -> engine.openUdp(new PlainFileSource(file),
                DataPath.FAST, rx.address(), null, SessionOptions.defaults()));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    /** Waits until the receiver holds every payload byte the paused session sent (its position). */
    private static void awaitEverythingSent(RtpReceiver rx, StreamSession s) throws InterruptedException {
        long end = System.currentTimeMillis() + 10_000;
        while (rx.payloadBytes() < s.position() && System.currentTimeMillis() < end) {
            Thread.sleep(5);
        }
        assertEquals(s.position(), rx.payloadBytes(), "every byte sent before the pause arrived");
    }

    private static void awaitPackets(RtpReceiver rx, int n) throws InterruptedException {
        long end = System.currentTimeMillis() + 10_000;
        while (rx.packets().size() < n && System.currentTimeMillis() < end) {
            Thread.sleep(5);
        }
        List<RtpReceiver.Packet> got = rx.packets();
        assertTrue(got.size() >= n, "received " + got.size() + " of " + n + " packets");
    }
}
