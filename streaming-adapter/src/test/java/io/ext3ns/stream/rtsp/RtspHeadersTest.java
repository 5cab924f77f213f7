package io.ext3ns.stream.rtsp;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lenient parsing of what players send in Range, Transport and request URLs. */
class RtspHeadersTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "npt=0-|0", "npt=0.000-|0", "npt=5.5-|5.5", "5.5-|5.5", "npt = 5.647-|5.647", "npt=5-10|5",
            "npt=0:01:05.5-|65.5", "NPT=2-|2", "npt=7-;time=19970123T143720Z|7"})
    void rangeStartsAreParsedLeniently(String header, double seconds) throws Exception {
        assertEquals(seconds, NptRange.startSeconds(header), 1e-9);
    }

    @ParameterizedTest
    @ValueSource(strings = {"npt=now-", "npt=-10", "-"})
    void rangesWithoutStartPlayFromHere(String header) throws Exception {
        assertEquals(NptRange.NO_START, NptRange.startSeconds(header));
    }

    @ParameterizedTest
    @ValueSource(strings = {"npt=abc-", "smpte=10:07:00-", "clock=19961108T143720Z-", "npt=NaN-",
            "npt=Infinity-", "npt"})
    void invalidRangesAre457(String header) {
        assertEquals(457, assertThrows(RtspException.class, () -> NptRange.startSeconds(header)).status());
    }

    @Test
    void transportPicksTheFirstSupportedAlternative() throws Exception {
        TransportSpec udp = TransportSpec.parse("RTP/AVP;multicast;ttl=3, RTP/AVP;unicast;client_port=5000-5001");
        assertFalse(udp.tcp());
        assertEquals(5000, udp.rtpPort());
        assertEquals(5001, udp.rtcpPort());
        TransportSpec tcp = TransportSpec.parse("RTP/AVP/TCP;unicast;interleaved=2-3");
        assertTrue(tcp.tcp());
        assertEquals(2, tcp.rtpChannel());
        assertEquals(3, tcp.rtcpChannel());
        TransportSpec single = TransportSpec.parse("RTP/AVP/UDP;unicast;client_port=7000;destination=10.9.9.9");
        assertEquals(7001, single.rtcpPort());
        assertEquals(461, assertThrows(RtspException.class, () -> TransportSpec.parse("RAW/RAW/UDP;unicast"))
                .status());
        assertEquals(461, assertThrows(RtspException.class, () -> TransportSpec.parse("RTP/AVP;unicast")).status());
        assertEquals(461, assertThrows(RtspException.class, () -> TransportSpec.parse(";")).status());
        assertEquals(461, assertThrows(RtspException.class, () -> TransportSpec.parse(" , ;")).status());
        assertEquals(461, assertThrows(RtspException.class,
                () -> TransportSpec.parse("RTP/AVP;unicast;client_port=0-70000")).status());
        assertEquals(400, assertThrows(RtspException.class,
                () -> TransportSpec.parse("RTP/AVP;unicast;client_port=a-b")).status());
    }

    @Test
    void urlsSplitIntoContentAndTrack() throws Exception {
        RtspUrl setup = RtspUrl.parse("rtsp://127.0.0.1:8554/movies/a%20b.ts/trackID=0");
        assertEquals("/movies/a%20b.ts", setup.contentPath());
        assertTrue(setup.track());
        assertEquals("rtsp://127.0.0.1:8554/movies/a%20b.ts/", setup.contentBase());
        assertEquals("/a.ts", RtspUrl.parse("rtsp://h/a.ts/?x=1").contentPath());
        assertEquals("/a.ts", RtspUrl.parse("/a.ts").contentPath());
        assertEquals(400, assertThrows(RtspException.class, () -> RtspUrl.parse("http://h/a.ts")).status());
    }

    @Test
    void aSignedQueryIsRepeatedInTheUrlsWeHandBack() throws Exception {
        RtspUrl plain = RtspUrl.parse("rtsp://h:8554/a.ts");
        assertEquals(null, plain.query());
        assertEquals("rtsp://h:8554/a.ts/", plain.contentBase());
        assertEquals("trackID=0", plain.trackControl());
        assertEquals("rtsp://h:8554/a.ts/trackID=0", plain.trackUrl());
        RtspUrl signed = RtspUrl.parse("rtsp://h:8554/a.ts?exp=17&sig=ab-_");
        assertEquals("exp=17&sig=ab-_", signed.query());
        assertEquals("rtsp://h:8554/a.ts/?exp=17&sig=ab-_", signed.contentBase());
        assertEquals("rtsp://h:8554/a.ts/trackID=0?exp=17&sig=ab-_", signed.trackControl());
        RtspUrl setup = RtspUrl.parse(signed.trackControl());
        assertEquals("/a.ts", setup.contentPath());
        assertTrue(setup.track());
        assertEquals("exp=17&sig=ab-_", setup.query());
        assertEquals("/a.ts", RtspUrl.parse(signed.contentBase()).contentPath(), "PLAY of the aggregate URL");
        // what would end a URL in RTP-Info, or a bare path with no base to make an absolute URL of: not repeated
        assertEquals("trackID=0", RtspUrl.parse("rtsp://h/a.ts?a=1;b=2").trackControl());
        assertEquals("rtsp://h/a.ts/", RtspUrl.parse("rtsp://h/a.ts?a=1,2").contentBase());
        assertEquals("trackID=0", RtspUrl.parse("/a.ts?exp=1&sig=2").trackControl());
    }
}
