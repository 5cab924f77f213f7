package io.ext3ns.stream.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.cache.UnitSize;
import io.ext3ns.stream.source.PlainFileSource;
import io.ext3ns.stream.testkit.TestAsset;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Pacing and sending allocate (almost) nothing per packet on the BATCHED and FAST paths: the scheduler thread's
 * allocated bytes (com.sun.management.ThreadMXBean) over whole paced sessions, divided by the packets they sent.
 * What remains is per session (RTCP reports, the end of a session) and per unit read, not per packet. Before the
 * send path was made allocation-free it was about 180 bytes per packet, and young collections stopped the pacing.
 */
class AllocationFreeSendTest {
    private static final int SESSIONS = 8;
    /** Bytes per packet allowed: the per-session and per-unit costs spread over a 10 s title's ~1,950 packets. */
    private static final double MAX_BYTES_PER_PACKET = 8;

    @ParameterizedTest
    @EnumSource(value = DataPath.class, names = {"BATCHED", "FAST"})
    void steadyStatePacingAndSendingAllocatesAlmostNothingPerPacket(DataPath path) throws Exception {
        Path asset = TestAsset.ts();
        try (StreamingEngine engine = new StreamingEngine(EngineConfig.of(UnitSize.M1, 32).withSchedulerThreads(1));
             DatagramChannel sink = DatagramChannel.open()) {
            // a player that never reads: the kernel drops what overflows its buffer, the sender sees no error
            sink.setOption(StandardSocketOptions.SO_RCVBUF, 64 * 1024);
            sink.bind(new InetSocketAddress("127.0.0.1", 0));
            InetSocketAddress to = (InetSocketAddress) sink.getLocalAddress();
            assertTrue(engine.schedulerAllocatedBytes() >= 0, "this JVM counts allocated bytes per thread");
            for (int warmUp = 0; warmUp < 2; warmUp++) { // let the JIT compile the path first
                playRound(engine, asset, path, to);
            }
            long before = engine.schedulerAllocatedBytes();
            long packets = playRound(engine, asset, path, to);
            long bytes = engine.schedulerAllocatedBytes() - before;
            double perPacket = bytes / (double) packets;
            System.out.printf("%s: %d bytes allocated by the scheduler thread for %d packets: %.2f B/packet%n",
                    path, bytes, packets, perPacket);
            assertTrue(perPacket <= MAX_BYTES_PER_PACKET, path + ": " + perPacket + " bytes allocated per packet");
            // a session ends when its last packet is sent; read-ahead of its last units may still be coming back
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (engine.pool().metrics().inUse() != 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(0, engine.pool().metrics().inUse(), "every unit is back");
        }
    }

    /** Plays {@link #SESSIONS} paced sessions of the asset at 10x speed to the end; returns the packets they sent. */
    private static long playRound(StreamingEngine engine, Path asset, DataPath path, InetSocketAddress to)
            throws Exception {
        List<StreamSession> sessions = new ArrayList<>();
        for (int i = 0; i < SESSIONS; i++) {
            StreamSession s = engine.openUdp(new PlainFileSource(asset), path, to, null,
                    SessionOptions.defaults().withSpeed(10));
            s.play(-1);
            sessions.add(s);
        }
        long packets = 0;
        for (StreamSession s : sessions) {
            SessionEnd end = s.ended().get(60, TimeUnit.SECONDS);
            assertEquals(SessionState.FINISHED, end.state());
            packets += end.packets();
        }
        return packets;
    }
}
