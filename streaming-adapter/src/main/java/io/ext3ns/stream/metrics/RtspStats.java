package io.ext3ns.stream.metrics;

import java.util.Map;

/** What /metrics reports about RTSP: requests answered, sessions by title, sessions playing. */
public interface RtspStats {
    RequestCounts requestCounts();

    /** Open sessions by the title's path. */
    Map<String, Integer> sessionsByPath();

    int playingCount();
}
