package io.ext3ns.stream.send;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.cache.UnitSize;
import io.ext3ns.stream.session.DataPath;
import io.ext3ns.stream.session.EngineConfig;
import io.ext3ns.stream.session.SessionOptions;
import io.ext3ns.stream.session.SessionState;
import io.ext3ns.stream.session.StreamSession;
import io.ext3ns.stream.session.StreamingEngine;
import io.ext3ns.stream.source.PlainFileSource;
import io.ext3ns.stream.testkit.RtpReceiver;
import io.ext3ns.stream.testkit.TestAsset;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** RTP/AVP/TCP interleaved: '$' channel length frames on the RTSP connection rebuild the file exactly. */
class TcpInterleavedSinkTest {

    @Test
    void interleavedFramesCarryTheWholeFile() throws Exception {
        Path asset = TestAsset.ts();
        byte[] file = Files.readAllBytes(asset);
        try (ServerSocketChannel server = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             SocketChannel client = SocketChannel.open(server.getLocalAddress());
             SocketChannel accepted = server.accept();
             StreamingEngine engine = new StreamingEngine(EngineConfig.of(UnitSize.K128, 4))) {
            CompletableFuture<byte[][]> read = CompletableFuture.supplyAsync(() -> readFrames(client));
            accepted.configureBlocking(false);
            InterleavedConnection connection = new InterleavedConnection(accepted);
            StreamSession s = engine.openInterleaved(new PlainFileSource(asset), DataPath.FAST, connection, 0, 1,
                    SessionOptions.defaults().unpaced().withRtcpInterval(TimeUnit.SECONDS.toNanos(1)));
            s.play(-1);
            assertEquals(SessionState.FINISHED, s.ended().get(30, TimeUnit.SECONDS).state());
            while (!connection.flushRest()) {
                Thread.sleep(1);
            }
            accepted.shutdownOutput();
            byte[][] got = read.get(30, TimeUnit.SECONDS);
            assertArrayEquals(file, got[0]);
            assertTrue(got[1].length >= 2 * 28, "an SR at PLAY and SR+SDES+BYE at the end on channel 1");
            assertEquals(200, got[1][1] & 0xff, "first RTCP frame: a Sender Report");
            assertEquals(203, got[1][got[1].length - 8 + 1] & 0xff, "the last RTCP packet ends with a BYE");
        }
    }

    @Test
    void aClientThatStopsReadingStallsOnlyItsOwnSession() throws Exception {
        Path asset = TestAsset.ts();
        byte[] file = Files.readAllBytes(asset);
        try (ServerSocketChannel server = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             SocketChannel client = SocketChannel.open(server.getLocalAddress()); // never reads
             SocketChannel accepted = server.accept();
             StreamingEngine engine = new StreamingEngine(EngineConfig.of(UnitSize.K128, 8));
             RtpReceiver rx = new RtpReceiver()) {
            accepted.setOption(java.net.StandardSocketOptions.SO_SNDBUF, 16 << 10);
            accepted.configureBlocking(false);
            InterleavedConnection connection = new InterleavedConnection(accepted);
            StreamSession slow = engine.openInterleaved(new PlainFileSource(asset), DataPath.FAST, connection, 0, 1,
                    SessionOptions.defaults().unpaced());
            slow.play(-1);
            Thread.sleep(200); // the socket fills up
            StreamSession other = engine.openUdp(new PlainFileSource(asset), DataPath.FAST, rx.address(), null,
                    SessionOptions.defaults().withSpeed(8));
            other.play(-1);
            assertEquals(SessionState.FINISHED, other.ended().get(30, TimeUnit.SECONDS).state(),
                    "the other session on the same scheduler thread ran to the end");
            assertTrue(rx.awaitBytes(file.length, 5000));
            assertEquals(SessionState.PLAYING, slow.state(), "the slow session waits, it is not dropped");
            assertTrue(slow.sink().stats().retries.sum() > 0, "congestion is counted");
            assertTrue(slow.position() < file.length);
            slow.stop();
            assertEquals(SessionState.STOPPED, slow.ended().get(5, TimeUnit.SECONDS).state());
            assertEquals(0, engine.pool().metrics().inUse());
        }
    }

    /** [0]: RTP payloads of channel 0 concatenated; [1]: the RTCP frames of channel 1 concatenated. */
    private static byte[][] readFrames(SocketChannel ch) {
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        ByteArrayOutputStream rtcp = new ByteArrayOutputStream();
        try {
            DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Channels.newInputStream(ch)));
            while (true) {
                int magic;
                try {
                    magic = in.readUnsignedByte();
                } catch (EOFException end) {
                    break;
                }
                assertEquals('$', magic, "frame start");
                int channel = in.readUnsignedByte();
                byte[] frame = new byte[in.readUnsignedShort()];
                in.readFully(frame);
                if (channel == 0) {
                    assertEquals(33, frame[1] & 0x7f);
                    payload.write(frame, 12, frame.length - 12);
                } else {
                    assertEquals(1, channel);
                    rtcp.write(frame);
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return new byte[][] {payload.toByteArray(), rtcp.toByteArray()};
    }
}
