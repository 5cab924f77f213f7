package io.ext3ns.stream.rtp;

/**
 * What an RTSP PLAY response's {@code RTP-Info} header needs: the sequence number and RTP timestamp of the first
 * packet that will be sent after the (re)start.
 */
public record RtpInfo(int sequence, long rtpTime) {
    /** The header value for one stream: {@code url=URL;seq=N;rtptime=T}. */
    public String header(String url) {
        return "url=" + url + ";seq=" + sequence + ";rtptime=" + rtpTime;
    }
}
