package io.ext3ns.stream.testkit;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A tiny blocking RTSP client: the shooter's virtual players set up and tear down with it, and the tests use it for
 * what ffmpeg does not expose (PAUSE at a chosen moment, raw status codes of bad requests, the RTP packets of an
 * interleaved session as they arrive). One request at a time; replies are read whole.
 */
public final class RtspClient implements Closeable {
    public record Reply(int status, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** One interleaved frame: channel and data (an RTP or RTCP packet). */
    public record Frame(int channel, byte[] data) {
    }

    /** Receives interleaved frames that arrive while waiting for a reply. */
    public interface FrameSink {
        void accept(Frame frame);
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private int cseq;
    private FrameSink frames = f -> { };

    public RtspClient(String host, int port) throws IOException {
        socket = new Socket(host, port);
        socket.setSoTimeout(15000);
        in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream(), 65536));
        out = socket.getOutputStream();
    }

    public void onFrame(FrameSink sink) {
        frames = sink;
    }

    public Socket socket() {
        return socket;
    }

    /** Sends a request with the next CSeq and the given extra header lines; returns the reply. */
    public Reply request(String method, String url, String... headerLines) throws IOException {
        return requestWithBody(method, url, "", headerLines);
    }

    /** As {@link #request}, with a text body (e.g. the parameter a GET_PARAMETER asks for). */
    public Reply requestWithBody(String method, String url, String body, String... headerLines) throws IOException {
        StringBuilder b = new StringBuilder(method).append(' ').append(url).append(" RTSP/1.0\r\n");
        b.append("CSeq: ").append(++cseq).append("\r\n");
        for (String h : headerLines) {
            b.append(h).append("\r\n");
        }
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        if (content.length > 0) {
            b.append("Content-Type: text/parameters\r\nContent-Length: ").append(content.length).append("\r\n");
        }
        b.append("\r\n");
        sendRaw(b.toString().getBytes(StandardCharsets.ISO_8859_1));
        sendRaw(content);
        return readReply();
    }

    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads the next reply, handing interleaved frames before it to the frame sink. */
    public Reply readReply() throws IOException {
        while (true) {
            int first = in.read();
            if (first < 0) {
                throw new EOFException("connection closed before a reply");
            }
            if (first == '$') {
                frames.accept(readFrameBody());
                continue;
            }
            String statusLine = (char) first + readLine();
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("RTSP/")) {
                throw new IOException("not an RTSP reply: " + statusLine);
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line; !(line = readLine()).isEmpty(); ) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
            int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            byte[] body = new byte[length];
            in.readFully(body);
            return new Reply(Integer.parseInt(parts[1]), headers, new String(body, StandardCharsets.UTF_8));
        }
    }

    /** Reads the next interleaved frame (blocking); null at end of stream. */
    public Frame readFrame() throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        if (first != '$') {
            throw new IOException("expected an interleaved frame, got byte " + first);
        }
        return readFrameBody();
    }

    private Frame readFrameBody() throws IOException {
        int channel = in.readUnsignedByte();
        int length = in.readUnsignedShort();
        byte[] data = new byte[length];
        in.readFully(data);
        return new Frame(channel, data);
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new EOFException("connection closed inside a reply");
            }
            if (c != '\r') {
                line.write(c);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
