package io.ext3ns.stream.rtsp;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One INFO line per RTSP session event (SETUP, PLAY, PAUSE, TEARDOWN, TIMEOUT, FAILED, DISCONNECT, SHUTDOWN, END),
 * as {@code key=value} pairs so the lines grep and parse easily:
 * <pre>session=5f0c… event=PLAY client=10.0.0.7 file=/movies/a.ts transport=udp data_path=udp-batched from=0.000s</pre>
 * Never per packet: the counters of a session appear once, on the line that ends it.
 */
final class SessionLog {
    private static final Logger LOG = LoggerFactory.getLogger(SessionLog.class);

    private SessionLog() {
    }

    static void event(RtspSession s, String event, String details) {
        if (LOG.isInfoEnabled()) {
            LOG.info("session={} event={} client={} file={} transport={} data_path={}{}{}", s.id, event,
                    s.client.getHostAddress(), s.file, s.interleaved ? "tcp" : "udp", s.path,
                    details.isEmpty() ? "" : " ", details);
        }
    }

    /** What the session has sent, for the line that ends it. */
    static String sent(RtspSession s) {
        return "packets=" + s.stream.packetsSent() + " bytes=" + s.stream.sink().stats().payloadBytes.sum();
    }
}
