package io.ext3ns.stream.ts;

/**
 * Media time of every TS packet from the stream's PCRs, as live555's MPEG2TransportStreamFramer does it: a packet
 * carrying a PCR is at that PCR; the packets after it are at the last PCR plus their count times an estimated
 * per-packet duration (an average of the duration between the last PCRs, weight 0.5). Media time never goes
 * backwards, so the resulting send schedule is never ahead of a PCR: a PCR packet is due exactly at its PCR time,
 * packets between PCRs run at the measured rate.
 *
 * <p>Times are 27 MHz ticks counted from the first packet fed (so a session that starts mid-file starts at 0).
 * PCR wrap-around is unwrapped; a discontinuity (a PCR jumping backwards or more than {@link #MAX_PCR_GAP_TICKS}
 * ahead) re-anchors the clock instead of stalling or racing. Only the PID of the first PCR seen is followed.
 * Not thread-safe: one per session.
 */
public final class PcrClock {
    /** A PCR further than this from the extrapolated time is a discontinuity (ISO 13818-1 allows 100 ms gaps). */
    public static final long MAX_PCR_GAP_TICKS = TsPacket.PCR_HZ; // 1 s
    private static final long UNKNOWN = Long.MIN_VALUE;

    private int pcrPid = -1;
    private long packetIndex = -1;
    private long lastPcrRaw = UNKNOWN;
    private long lastPcrPacket;
    private long lastPcrTime;
    private double ticksPerPacket;
    private long lastTime;

    /**
     * Feeds the next TS packet (pid and PCR as read by {@link TsPacket}); returns its media time in 27 MHz ticks.
     */
    public long next(int pid, long pcr) {
        packetIndex++;
        long extrapolated = lastPcrRaw == UNKNOWN ? lastTime
                : lastPcrTime + (long) ((packetIndex - lastPcrPacket) * ticksPerPacket);
        long time = Math.max(extrapolated, lastTime);
        if (pcr != TsPacket.NO_PCR && (pcrPid < 0 || pid == pcrPid)) {
            pcrPid = pid;
            time = onPcr(pcr, extrapolated);
        }
        lastTime = time;
        return time;
    }

    private long onPcr(long pcr, long extrapolated) {
        if (lastPcrRaw == UNKNOWN) {
            lastPcrRaw = pcr;
            lastPcrPacket = packetIndex;
            lastPcrTime = lastTime;
            return lastTime;
        }
        long delta = Math.floorMod(pcr - lastPcrRaw, TsPacket.PCR_WRAP);
        long packets = packetIndex - lastPcrPacket;
        long pcrTime = lastPcrTime + delta;
        if (delta == 0 || packets <= 0 || Math.abs(pcrTime - extrapolated) > MAX_PCR_GAP_TICKS) {
            // discontinuity: continue from where we are, keep the old rate
            pcrTime = Math.max(extrapolated, lastTime);
        } else {
            double measured = (double) delta / packets;
            ticksPerPacket = ticksPerPacket == 0 ? measured : (ticksPerPacket + measured) / 2;
        }
        lastPcrRaw = pcr;
        lastPcrPacket = packetIndex;
        lastPcrTime = pcrTime;
        return Math.max(pcrTime, lastTime);
    }

    /** True once a PCR has been seen. */
    public boolean anchored() {
        return lastPcrRaw != UNKNOWN;
    }

    /** Media time of the last packet fed (27 MHz ticks). */
    public long lastTime() {
        return lastTime;
    }
}
