package io.ext3ns.bench.shooter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.stream.nativeio.NativeUdpSocket;
import io.ext3ns.stream.nativeio.ReceiveBatch;
import io.ext3ns.fs.cache.UnitSize;
import io.ext3ns.stream.session.DataPath;
import io.ext3ns.stream.session.EngineConfig;
import io.ext3ns.stream.session.SessionEnd;
import io.ext3ns.stream.session.SessionOptions;
import io.ext3ns.stream.session.SessionState;
import io.ext3ns.stream.session.StreamSession;
import io.ext3ns.stream.session.StreamingEngine;
import io.ext3ns.stream.source.PlainFileSource;
import io.ext3ns.stream.testkit.TestAsset;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shooter's player receive path: the engine's batched path sends GSO bursts; a player socket with UDP GRO gets
 * each burst as one datagram, which {@link GroSegments} cuts back into RTP packets. Every packet is there, in order
 * (sequence numbers contiguous), and the payloads rebuild the file byte for byte; the players' bookkeeping
 * ({@link ReceiverPool.Ears}) counts every packet and no loss. Without GRO every packet is its own datagram.
 */
class GroReceiveTest {

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void burstsAreCutBackIntoTheExactPacketsSent(boolean gro) throws Exception {
        Path asset = TestAsset.ts();
        byte[] file = Files.readAllBytes(asset);
        try (StreamingEngine engine = new StreamingEngine(EngineConfig.of(UnitSize.K128, 16).withSchedulerThreads(1));
             NativeUdpSocket player = NativeUdpSocket.receiving(new InetSocketAddress("127.0.0.1", 0), 8 << 20)) {
            if (gro) {
                assertEquals(0, player.enableGro(), "this kernel offers UDP_GRO");
            }
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", player.localPort());
            // 20x real time with a 20 ms window: bursts of up to 49 packets, one GSO datagram each
            StreamSession session = engine.openUdp(new PlainFileSource(asset), DataPath.BATCHED, to, null,
                    SessionOptions.defaults().withSpeed(20).withBurstWindow(TimeUnit.MILLISECONDS.toNanos(20)));
            session.play(-1);
            CompletableFuture<SessionEnd> ended = session.ended();

            ReceiveBatch batch = new ReceiveBatch(8);
            ReceiverPool.Ears ears = new ReceiverPool.Ears(player);
            ByteArrayOutputStream payload = new ByteArrayOutputStream();
            int[] expectedSeq = {-1};
            int[] largestBurst = {0};
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (payload.size() < file.length && System.nanoTime() < deadline) {
                int n = batch.receive(player);
                assertTrue(n >= 0, "recvmmsg failed: " + n);
                if (n == 0) {
                    Thread.sleep(1);
                    continue;
                }
                for (int m = 0; m < n; m++) {
                    assertTrue(!batch.truncated(m));
                    int packets = GroSegments.split(batch.data(), batch.offset(m), batch.length(m),
                            batch.segmentSize(m), System.nanoTime(), (data, at, length, arrival) -> {
                                ears.onPacket(data, at, length, arrival);
                                int seq = data.getShort(at + 2) & 0xffff;
                                if (expectedSeq[0] >= 0) {
                                    assertEquals(expectedSeq[0], seq, "sequence numbers are contiguous");
                                }
                                expectedSeq[0] = (seq + 1) & 0xffff;
                                assertEquals(33, data.get(at + 1) & 0x7f, "payload type MP2T");
                                byte[] bytes = new byte[length - 12];
                                data.get(at + 12, bytes);
                                payload.writeBytes(bytes);
                            });
                    largestBurst[0] = Math.max(largestBurst[0], packets);
                }
            }
            assertEquals(SessionState.FINISHED, ended.get(30, TimeUnit.SECONDS).state());
            assertArrayEquals(file, payload.toByteArray(), "the payloads rebuild the file");
            assertEquals((file.length + 1315) / 1316, ears.packets, "every packet counted");
            assertEquals(0, ears.lost, "no loss counted");
            if (gro) {
                assertTrue(largestBurst[0] > 10, "GRO hands over whole bursts: largest " + largestBurst[0]);
            } else {
                assertEquals(1, largestBurst[0], "without GRO each datagram is one packet");
            }
        }
    }
}
