package io.ext3ns.stream.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.cache.UnitSize;
import io.ext3ns.stream.source.PlainFileSource;
import io.ext3ns.stream.testkit.RtpReceiver;
import io.ext3ns.stream.testkit.TestAsset;
import io.ext3ns.stream.ts.TsPacket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** PCR pacing in real time: the asset takes its PCR duration (± 3 %) and no packet arrives >100 ms before its PCR. */
class PacingTest {

    @Test
    void tenSecondAssetTakesTenSecondsAndNeverRunsAheadOfPcr() throws Exception {
        Path asset = TestAsset.ts();
        byte[] file = Files.readAllBytes(asset);
        try (StreamingEngine engine = new StreamingEngine(EngineConfig.of(UnitSize.M1, 4));
             RtpReceiver rx = new RtpReceiver()) {
            StreamSession s = engine.openUdp(new PlainFileSource(asset), DataPath.BATCHED, rx.address(), null,
                    SessionOptions.defaults());
            long playNanos = System.nanoTime();
            s.play(-1);
            assertEquals(SessionState.FINISHED, s.ended().get(20, TimeUnit.SECONDS).state());
            assertTrue(rx.awaitBytes(file.length, 2000));
            byte[] received = rx.payloadStream();
            assertArrayEquals(file, received, "paced delivery is still byte-identical");

            List<RtpReceiver.Packet> packets = rx.packets();
            double seconds = (packets.get(packets.size() - 1).arrivalNanos() - packets.get(0).arrivalNanos()) / 1e9;
            // the "10 s" asset spans 10.28 s of PCR time (2 Mbit/s CBR mux): that is what pacing must reproduce
            double pcrSpan = pcrSpanSeconds(ByteBuffer.wrap(file));
            assertEquals(TestAsset.SECONDS, pcrSpan, 0.5, "the asset is ~10 s long");
            assertEquals(pcrSpan, seconds, pcrSpan * 0.03, "send duration " + seconds + " s for " + pcrSpan
                    + " s of PCR time");

            double worstAhead = worstLeadOverPcr(packets, ByteBuffer.wrap(received), playNanos);
            System.out.printf("pacing: %.3f s for %.3f s of PCR time, worst lead over PCR %.1f ms%n", seconds,
                    pcrSpan, worstAhead * 1000);
            assertTrue(worstAhead <= 0.100, "a packet arrived " + worstAhead + " s before its PCR time");
        }
    }

    /** Last PCR minus first PCR of the file, in seconds. */
    static double pcrSpanSeconds(ByteBuffer file) {
        long first = -1;
        long last = -1;
        for (int at = 0; at + TsPacket.SIZE <= file.limit(); at += TsPacket.SIZE) {
            long pcr = TsPacket.pcr(file, at);
            if (pcr != TsPacket.NO_PCR) {
                first = first < 0 ? pcr : first;
                last = pcr;
            }
        }
        return (last - first) / (double) TsPacket.PCR_HZ;
    }

    /**
     * Largest (PCR time - arrival time) over packets carrying a PCR: PCR time counted from the stream's first PCR
     * (in its first RTP packet), arrival time from the PLAY, as a player's clock would count them.
     */
    static double worstLeadOverPcr(List<RtpReceiver.Packet> packets, ByteBuffer stream, long playNanos) {
        long firstPcr = -1;
        double worst = Double.NEGATIVE_INFINITY;
        int pcrPid = -1;
        int offset = 0;
        for (RtpReceiver.Packet p : packets) {
            for (int at = offset; at < offset + p.payloadLength(); at += TsPacket.SIZE) {
                long pcr = TsPacket.pcr(stream, at);
                int pid = TsPacket.pid(stream, at);
                if (pcr == TsPacket.NO_PCR || (pcrPid >= 0 && pid != pcrPid)) {
                    continue;
                }
                if (firstPcr < 0) {
                    firstPcr = pcr;
                    pcrPid = pid;
                }
                double pcrSeconds = (pcr - firstPcr) / (double) TsPacket.PCR_HZ;
                double arrivalSeconds = (p.arrivalNanos() - playNanos) / 1e9;
                worst = Math.max(worst, pcrSeconds - arrivalSeconds);
            }
            offset += p.payloadLength();
        }
        assertTrue(firstPcr >= 0, "the stream carries PCRs");
        return worst;
    }
}
