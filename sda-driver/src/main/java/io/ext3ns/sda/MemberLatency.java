package io.ext3ns.sda;

/**
 * Request latency of one array member since the array opened: its parts' time from submission to the array until
 * the member completed them, queueing included. Only parts that succeeded are counted (a failed or skipped part has
 * no meaningful time); fdatasync is not counted.
 *
 * @param member index in array order (the {@code member} label of {@code ext3ns_sda_queue_depth})
 * @param reads  read parts
 * @param writes write parts
 */
public record MemberLatency(int member, LatencyHistogram.Snapshot reads, LatencyHistogram.Snapshot writes) {
}
