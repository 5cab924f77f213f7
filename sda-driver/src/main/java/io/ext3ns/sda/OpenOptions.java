package io.ext3ns.sda;

/**
 * How {@link BlockDevices#open(java.util.List, OpenOptions)} opens members.
 *
 * @param readOnly  open members read-only (writes then fail)
 * @param exclusive lock every member (flock: exclusive when read-write, shared when read-only) so that a second
 *                  mount or tool on the same member is refused with a message instead of corrupting it
 * @param directIo  open array members with O_DIRECT where the member supports it; a plain single-member image
 *                  sends its whole aligned pages through O_DIRECT and the rest through the page cache
 *                  ({@link FileMember})
 * @param engine    how the array's member requests are issued ({@link IoEngine#configured()} unless given)
 */
public record OpenOptions(boolean readOnly, boolean exclusive, boolean directIo, IoEngine engine) {
    public static final OpenOptions READ_WRITE = new OpenOptions(false, false, true);
    public static final OpenOptions READ_ONLY = new OpenOptions(true, false, true);

    public OpenOptions {
        if (engine == null) {
            throw new IllegalArgumentException("no I/O engine given");
        }
    }

    /** Options with the configured engine ({@link IoEngine#configured()}). */
    public OpenOptions(boolean readOnly, boolean exclusive, boolean directIo) {
        this(readOnly, exclusive, directIo, IoEngine.configured());
    }

    /** The same options with member locking on. */
    public OpenOptions exclusively() {
        return new OpenOptions(readOnly, true, directIo, engine);
    }

    /** The same options with buffered (page cache) member I/O instead of O_DIRECT. */
    public OpenOptions buffered() {
        return new OpenOptions(readOnly, exclusive, false, engine);
    }

    /** The same options with member requests issued by {@code engine}. */
    public OpenOptions withEngine(IoEngine engine) {
        return new OpenOptions(readOnly, exclusive, directIo, engine);
    }
}
