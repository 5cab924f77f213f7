package io.ext3ns.stream.rtsp;

import io.ext3ns.stream.content.ContentFile;
import java.util.Locale;

/** The DESCRIBE answer (RFC 4566, RFC 2250): one MPEG-TS stream as RTP payload type 33, with its duration. */
final class Sdp {
    private Sdp() {
    }

    /** {@code trackControl}: the track's a=control (relative "trackID=0", or absolute with a signed query). */
    static String describe(ContentFile file, double durationSeconds, String serverAddress, String trackControl) {
        String ip = serverAddress.contains(":") ? "IP6" : "IP4";
        return "v=0\r\n"
                + "o=- " + file.ino() + " " + Math.max(1, file.mtimeNanos() / 1_000_000_000L) + " IN " + ip + " "
                + serverAddress + "\r\n"
                + "s=" + file.path() + "\r\n"
                + "c=IN " + ip + " " + (ip.equals("IP6") ? "::" : "0.0.0.0") + "\r\n"
                + "t=0 0\r\n"
                + "a=control:*\r\n"
                + String.format(Locale.ROOT, "a=range:npt=0-%.3f\r\n", durationSeconds)
                + "m=video 0 RTP/AVP 33\r\n"
                + "a=rtpmap:33 MP2T/90000\r\n"
                + "a=control:" + trackControl + "\r\n";
    }
}
