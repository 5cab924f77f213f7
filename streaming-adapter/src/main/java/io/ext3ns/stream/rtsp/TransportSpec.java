package io.ext3ns.stream.rtsp;

import java.util.Locale;

/**
 * The client's choice from a SETUP Transport header (RFC 2326 12.39): the first alternative this server supports,
 * RTP/AVP unicast over UDP with client_port, or RTP/AVP/TCP with interleaved channels. A destination= parameter is
 * ignored on purpose: packets only ever go to the address the request came from (no reflection to third parties).
 */
record TransportSpec(boolean tcp, int rtpPort, int rtcpPort, int rtpChannel, int rtcpChannel) {
    static final int UNSET = -1;

    static TransportSpec parse(String header) throws RtspException {
        if (header == null || header.isBlank()) {
            throw new RtspException(461, "SETUP without Transport");
        }
        for (String alternative : header.split(",")) {
            TransportSpec spec = parseOne(alternative.trim());
            if (spec != null) {
                return spec;
            }
        }
        throw new RtspException(461, "no supported transport in: " + header);
    }

    private static TransportSpec parseOne(String alternative) throws RtspException {
        String[] params = alternative.split(";");
        if (params.length == 0) {
            return null; // "" or ";": no transport named
        }
        String protocol = params[0].trim().toUpperCase(Locale.ROOT);
        boolean tcp;
        if (protocol.equals("RTP/AVP") || protocol.equals("RTP/AVP/UDP")) {
            tcp = false;
        } else if (protocol.equals("RTP/AVP/TCP")) {
            tcp = true;
        } else {
            return null;
        }
        int[] ports = null;
        int[] channels = null;
        for (int i = 1; i < params.length; i++) {
            String p = params[i].trim();
            String lower = p.toLowerCase(Locale.ROOT);
            if (lower.equals("multicast")) {
                return null;
            } else if (lower.startsWith("client_port=")) {
                ports = pair(p.substring(12), 1, 65535);
            } else if (lower.startsWith("interleaved=")) {
                channels = pair(p.substring(12), 0, 255);
            }
        }
        if (tcp) {
            return channels == null ? new TransportSpec(true, UNSET, UNSET, UNSET, UNSET)
                    : new TransportSpec(true, UNSET, UNSET, channels[0], channels[1]);
        }
        if (ports == null) {
            throw new RtspException(461, "UDP transport without client_port");
        }
        return new TransportSpec(false, ports[0], ports[1], UNSET, UNSET);
    }

    /** "a-b" or "a" (then b = a + 1), each within [min, max]. */
    private static int[] pair(String value, int min, int max) throws RtspException {
        try {
            String[] ab = value.trim().split("-", 2);
            int a = Integer.parseInt(ab[0].trim());
            int b = ab.length > 1 ? Integer.parseInt(ab[1].trim()) : a + 1;
            if (a < min || a > max || b < min || b > max) {
                throw new RtspException(461, "port or channel out of range: " + value);
            }
            return new int[]{a, b};
        } catch (NumberFormatException e) {
            throw new RtspException(400, "malformed port or channel pair: " + value);
        }
    }
}
