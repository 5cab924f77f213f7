package io.ext3ns.stream.send;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ext3ns.stream.pool.UnitSize;
import io.ext3ns.stream.session.DataPath;
import io.ext3ns.stream.session.EngineConfig;
import io.ext3ns.stream.session.SessionOptions;
import io.ext3ns.stream.session.SessionState;
import io.ext3ns.stream.session.StreamSession;
import io.ext3ns.stream.session.StreamingEngine;
import io.ext3ns.stream.source.PlainFileSource;
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
            assertEquals(2, got[1][0], "SR at PLAY and SR+BYE at the end on channel 1");
        }
    }

    /** [0]: RTP payloads of channel 0 concatenated; [1][0]: number of channel-1 frames. */
    private static byte[][] readFrames(SocketChannel ch) {
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        int rtcpFrames = 0;
        try {
            DataInputStream in = new DataInputStream(Channels.newInputStream(ch));
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
                    rtcpFrames++;
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return new byte[][] {payload.toByteArray(), {(byte) rtcpFrames}};
    }
}
