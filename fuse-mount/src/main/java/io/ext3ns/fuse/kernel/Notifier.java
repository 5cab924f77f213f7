package io.ext3ns.fuse.kernel;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Tells the kernel that what it cached of an inode is stale (FUSE_NOTIFY_INVAL_INODE, attributes only): for
 * changes the kernel did not ask for and cannot know of, such as the set-id bits a non-owner's write clears.
 * Written on the session's descriptor with unique 0; the kernel does not answer.
 */
final class Notifier {
    private static final Logger log = LoggerFactory.getLogger(Notifier.class);
    private static final int INVAL_INODE_LENGTH = FuseProtocol.OUT_HEADER + 24;

    private final int fd;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(INVAL_INODE_LENGTH).order(ByteOrder.LITTLE_ENDIAN);

    Notifier(int fd) {
        this.fd = fd;
    }

    /** The kernel forgets the attributes of {@code nodeid} (offset -1: its page cache stays). */
    synchronized void invalidateAttributes(long nodeid) {
        buf.clear();
        buf.putInt(INVAL_INODE_LENGTH);
        buf.putInt(FuseProtocol.NOTIFY_INVAL_INODE);
        buf.putLong(0);
        buf.putLong(nodeid);
        buf.putLong(-1);
        buf.putLong(0);
        long n = DevFuse.write(fd, buf, INVAL_INODE_LENGTH);
        // ENOENT: the kernel has no such inode cached, which is what we wanted
        if (n < 0 && -n != DevFuse.ENOENT) {
            log.warn("FUSE_NOTIFY_INVAL_INODE for node {} failed: {}", nodeid, DevFuse.describe((int) -n));
        }
    }
}
