package io.ext3ns.stream.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.cache.UnitSize;
import io.ext3ns.stream.source.PlainFileSource;
import io.ext3ns.stream.testkit.RtpReceiver;
import io.ext3ns.stream.testkit.TestAsset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The three paths deliver the file's exact bytes as RFC 2250 RTP (pass-through, not re-muxed). */
class DataPathsTest {

    @ParameterizedTest
    @EnumSource(DataPath.class)
    void everyPathDeliversTheFileByteForByte(DataPath path) throws Exception {
        Path asset = TestAsset.ts();
        byte[] expected = Files.readAllBytes(asset);
        // 128 KiB units are not a multiple of 188: many payloads straddle two units
        try (StreamingEngine engine = new StreamingEngine(EngineConfig.of(UnitSize.K128, 8));
             RtpReceiver rx = new RtpReceiver()) {
            StreamSession s = engine.openUdp(new PlainFileSource(asset), path, rx.address(), null,
                    SessionOptions.defaults().withSpeed(8));
            s.play(-1);
            SessionEnd end = s.ended().get(30, TimeUnit.SECONDS);
            assertEquals(SessionState.FINISHED, end.state(), () -> "ended with " + end.error());
            assertTrue(rx.awaitBytes(expected.length, 5000), "received " + rx.payloadBytes() + " of "
                    + expected.length);
            assertArrayEquals(expected, rx.payloadStream(), path + ": received TS differs from the file");
            checkRtpHeaders(rx.packets(), expected.length);
            assertEquals(0, engine.pool().metrics().inUse(), "every unit returned");
            assertEquals(0, s.sink().stats().dropped.sum());
        }
    }

    static void checkRtpHeaders(List<RtpReceiver.Packet> packets, int fileBytes) {
        RtpReceiver.Packet first = packets.get(0);
        assertEquals((fileBytes + 1315) / 1316, packets.size(), "7 TS packets per RTP packet");
        for (int i = 0; i < packets.size(); i++) {
            RtpReceiver.Packet p = packets.get(i);
            assertEquals(33, p.payloadType(), "PT 33 (MP2T)");
            assertEquals(first.ssrc(), p.ssrc(), "one SSRC");
            assertEquals((first.sequence() + i) & 0xffff, p.sequence(), "consecutive sequence numbers");
            assertTrue(i == packets.size() - 1 || p.payloadLength() == 1316, "full payloads but the last");
            if (i > 0) {
                long step = (p.timestamp() - packets.get(i - 1).timestamp()) & 0xffffffffL;
                assertTrue(step < 90_000, "90 kHz timestamps never go backwards or jump: " + step);
            }
        }
    }
}
