package io.ext3ns.stream.rtsp;

import io.ext3ns.stream.net.Connection;
import io.ext3ns.stream.net.ConnectionHandler;
import io.ext3ns.stream.net.Request;
import io.ext3ns.stream.net.RequestParser;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One RTSP control connection: splits the input into requests and the client's interleaved '$' frames (RTCP
 * receiver reports over TCP, which only keep its sessions alive), and answers in order. A request that cannot be
 * framed gets its error status and the connection is closed after it. A request waiting for a seek index holds
 * back the requests after it on this connection only; the loop goes on serving the others.
 */
public final class RtspConnectionHandler implements ConnectionHandler {
    private final RtspService service;
    private final RequestParser parser;
    private boolean waiting; // a request waits for its index: later input stays in the buffer
    private boolean inInput; // onInput is on the stack: the input buffer is flipped

    public RtspConnectionHandler(RtspService service, RequestParser parser) {
        this.service = service;
        this.parser = parser;
    }

    @Override
    public void onInput(Connection c) throws IOException {
        inInput = true;
        try {
            readRequests(c);
        } finally {
            inInput = false;
        }
    }

    private void readRequests(Connection c) throws IOException {
        ByteBuffer in = c.input();
        while (!waiting && in.hasRemaining() && !c.isClosing()) {
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
            answer(c, request);
        }
    }

    private void answer(Connection c, Request request) throws IOException {
        java.util.concurrent.CompletableFuture<?> pending = service.serve(c, request);
        if (pending != null) {
            waiting = true;
            pending.whenComplete((r, e) -> c.execute(() -> resume(c, request)));
        }
    }

    /** On the loop thread: the index a request waited for is built (or failed); answer it, then what followed. */
    private void resume(Connection c, Request request) {
        waiting = false;
        if (c.isClosed()) {
            return;
        }
        try {
            answer(c, request);
            ByteBuffer in = c.input();
            if (!waiting && !inInput && in.position() > 0) {
                in.flip();
                try {
                    onInput(c);
                } finally {
                    in.compact();
                }
            }
        } catch (IOException e) {
            c.close();
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
    public boolean readingRequest(Connection c) {
        return !waiting;
    }

    @Override
    public void onHeadTimeout(Connection c) throws IOException {
        c.sendOwned(RtspService.error(408, "no whole request in time").toBuffer());
        c.closeGracefully();
    }

    @Override
    public void onClose(Connection c) {
        service.connectionClosed(c);
    }
}
