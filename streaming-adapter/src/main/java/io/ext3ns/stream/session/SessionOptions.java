package io.ext3ns.stream.session;

import java.util.concurrent.TimeUnit;

/**
 * Per-session settings. {@link #defaults()} is what a player needs: paced from PCR in real time, a 5 ms burst
 * window (a packet leaves at most 5 ms before its PCR time, so the ±5 ms pacing bound holds on the early side too,
 * while a 10 Mbit/s stream's burst holds ~4 packets instead of ~2: about 40 % of the CPU per stream of a 2 ms window,
 * see docs/server.md), a Sender Report at PLAY and every 5 s.
 *
 * @param paced            follow the PCRs; false sends as fast as the sink takes packets (benchmarks)
 * @param speed            playback rate when paced (1.0 real time; 4.0 four times faster — for tests)
 * @param burstWindowNanos packets due within this window are sent together (bigger bursts, fewer syscalls)
 * @param maxBurst         at most this many packets per send (1..64; 49 fills one GSO datagram)
 * @param rtcpIntervalNanos time between RTCP Sender Reports; 0 sends none
 * @param cname            RTCP CNAME
 */
public record SessionOptions(boolean paced, double speed, long burstWindowNanos, int maxBurst,
                             long rtcpIntervalNanos, String cname) {
    public SessionOptions {
        if (!(speed > 0) || Double.isInfinite(speed)) {
            throw new IllegalArgumentException("speed must be a positive finite number: " + speed);
        }
        if (burstWindowNanos < 0 || burstWindowNanos > TimeUnit.SECONDS.toNanos(1)) {
            throw new IllegalArgumentException("burst window must be 0..1 s");
        }
        if (maxBurst < 1 || maxBurst > io.ext3ns.stream.send.PacketBurst.MAX_PACKETS) {
            throw new IllegalArgumentException("maxBurst must be 1.." + io.ext3ns.stream.send.PacketBurst.MAX_PACKETS);
        }
        if (rtcpIntervalNanos < 0) {
            throw new IllegalArgumentException("negative RTCP interval");
        }
        if (cname == null || cname.isEmpty()) {
            throw new IllegalArgumentException("CNAME must not be empty");
        }
    }

    public static SessionOptions defaults() {
        return new SessionOptions(true, 1.0, TimeUnit.MILLISECONDS.toNanos(5), 49, TimeUnit.SECONDS.toNanos(5),
                "ext3ns@localhost");
    }

    public SessionOptions unpaced() {
        return new SessionOptions(false, speed, burstWindowNanos, maxBurst, rtcpIntervalNanos, cname);
    }

    public SessionOptions withSpeed(double s) {
        return new SessionOptions(paced, s, burstWindowNanos, maxBurst, rtcpIntervalNanos, cname);
    }

    public SessionOptions withBurstWindow(long nanos) {
        return new SessionOptions(paced, speed, nanos, maxBurst, rtcpIntervalNanos, cname);
    }

    public SessionOptions withMaxBurst(int n) {
        return new SessionOptions(paced, speed, burstWindowNanos, n, rtcpIntervalNanos, cname);
    }

    public SessionOptions withRtcpInterval(long nanos) {
        return new SessionOptions(paced, speed, burstWindowNanos, maxBurst, nanos, cname);
    }
}
