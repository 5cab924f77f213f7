package io.ext3ns.stream.index;

/**
 * One elementary stream of a transport stream's program: its PID, its stream_type from the PMT (ISO 13818-1
 * table 2-34), a name for people ("H.264", "AAC"), and its RFC 6381 codec string ("avc1.64001f", "mp4a.40.2") when
 * the stream's own headers told it, else null (HLS's CODECS attribute is then left out: a wrong one makes players
 * refuse the title).
 */
public record ElementaryStream(int pid, int streamType, String name, String codec, boolean video) {
}
