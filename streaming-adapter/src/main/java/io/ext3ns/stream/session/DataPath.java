package io.ext3ns.stream.session;

/** How a session's bytes travel from the store to the socket. */
public enum DataPath {
    /** Algorithm 1: buffered read of each payload into a heap array, header and payload copied into one packet. */
    LEGACY,
    /** Algorithm 2: fast-path read into pinned units; one sendmsg per packet with iovec [header, payload slice]. */
    FAST,
    /** Fast-path read; UDP GSO per burst and sendmmsg across the sessions of a scheduler thread (jnr-ffi). */
    BATCHED
}
