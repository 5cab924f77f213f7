package io.ext3ns.sda;

/**
 * How {@link BlockDevices#open(java.util.List, OpenOptions)} opens members.
 *
 * @param readOnly  open members read-only (writes then fail)
 * @param exclusive lock every member (flock: exclusive when read-write, shared when read-only) so that a second
 *                  mount or tool on the same member is refused with a message instead of corrupting it
 * @param directIo  open array members with O_DIRECT where the member supports it (plain single-member images are
 *                  always buffered: e2fsprogs and the kernel share them)
 */
public record OpenOptions(boolean readOnly, boolean exclusive, boolean directIo) {
    public static final OpenOptions READ_WRITE = new OpenOptions(false, false, true);
    public static final OpenOptions READ_ONLY = new OpenOptions(true, false, true);

    /** The same options with member locking on. */
    public OpenOptions exclusively() {
        return new OpenOptions(readOnly, true, directIo);
    }

    /** The same options with buffered (page cache) member I/O instead of O_DIRECT. */
    public OpenOptions buffered() {
        return new OpenOptions(readOnly, exclusive, false);
    }
}
