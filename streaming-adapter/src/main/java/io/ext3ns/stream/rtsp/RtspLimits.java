package io.ext3ns.stream.rtsp;

import io.ext3ns.stream.access.AccessPolicy;
import io.ext3ns.stream.session.DataPath;
import io.ext3ns.stream.session.SessionOptions;
import java.time.Duration;

/**
 * The settings the RTSP service reads: session limits and time-outs, the data path, and the access policy. The
 * server's configuration implements it, so the protocol package needs nothing from the composition root above it.
 */
public interface RtspLimits {
    int maxSessions();

    int maxSessionsPerClient();

    Duration sessionTimeout();

    /** A session never played ends after this. */
    Duration unplayedTimeout();

    DataPath dataPath();

    SessionOptions sessionOptions();

    AccessPolicy access();
}
