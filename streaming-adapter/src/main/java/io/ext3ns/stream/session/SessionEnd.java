package io.ext3ns.stream.session;

/**
 * How a session ended.
 *
 * @param state         FINISHED, STOPPED or FAILED
 * @param error         the cause when FAILED, else null
 * @param packets       RTP packets sent
 * @param payloadBytes  RTP payload bytes sent
 */
public record SessionEnd(SessionState state, Throwable error, long packets, long payloadBytes) {
}
