package io.ext3ns.stream.rtsp;

import io.ext3ns.stream.server.Connection;
import io.ext3ns.stream.server.ConnectionHandler;
import io.ext3ns.stream.server.Request;
import io.ext3ns.stream.server.RequestParser;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One RTSP control connection: splits the input into requests and the client's interleaved '$' frames (RTCP
 * receiver reports over TCP, which only keep its sessions alive), and answers in order. A request that cannot be
 * framed gets its error status and the connection is closed after it.
 */
public final class RtspConnectionHandler implements ConnectionHandler {
    private final RtspService service;
    private final RequestParser parser;

    public RtspConnectionHandler(RtspService service, RequestParser parser) {
        this.service = service;
        this.parser = parser;
    }

    @Override
    public void onInput(Connection c) throws IOException {
        ByteBuffer in = c.input();
        while (in.hasRemaining() && !c.isClosing()) {
            if (in.get(in.position()) == '$') {
                if (!skipInterleavedFrame(in)) {
                    return;
                }
                service.touch(c);
                continue;
            }
            Request request;
            try {
                request = parser.parse(in);
            } catch (RequestParser.BadRequest e) {
                c.sendOwned(RtspService.error(e.status(), e.getMessage()).toBuffer());
                c.closeGracefully();
                return;
            }
            if (request == null) {
                return;
            }
            service.serve(c, request);
        }
    }

    /** Skips a whole '$' channel length frame; false if it has not all arrived yet. */
    private static boolean skipInterleavedFrame(ByteBuffer in) {
        if (in.remaining() < 4) {
            return false;
        }
        int length = in.getShort(in.position() + 2) & 0xffff;
        if (in.remaining() < 4 + length) {
            return false;
        }
        in.position(in.position() + 4 + length);
        return true;
    }

    @Override
    public void onClose(Connection c) {
        service.connectionClosed(c);
    }
}
