package io.ext3ns.stream.feed;

/**
 * A feed that says when each payload is due, on its own media time line, instead of leaving it to the PCRs the
 * session reads in the payload: for streams assembled from pieces of a file (trick play), whose PCRs jump.
 */
public interface TimedPayloadFeed extends PayloadFeed {
    /** Media time (27 MHz ticks, never decreasing) of the payload last peeked successfully. */
    long peekedMediaTime();

    /** Media time of the next payload as far as known without reading: the first one's before any peek. */
    long nextMediaTime();
}
