package io.ext3ns.fuse.kernel;

import io.ext3ns.fs.api.Attr;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A worker's reply buffer: a fuse_out_header (filled in at {@link #finish}) followed by the body the operation
 * puts. Also encodes fuse_attr and fuse_entry_out, which several replies share.
 */
final class Reply {
    final ByteBuffer buf;

    Reply(ByteBuffer buf) {
        this.buf = buf.order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Starts an empty body. */
    Reply begin() {
        buf.clear();
        buf.position(FuseProtocol.OUT_HEADER);
        return this;
    }

    int room() {
        return buf.capacity() - buf.position();
    }

    /** Writes the header for {@code unique} with {@code error} (0 or -errno); returns the reply's length. */
    int finish(long unique, int error) {
        int len = error == 0 ? buf.position() : FuseProtocol.OUT_HEADER;
        buf.putInt(0, len);
        buf.putInt(4, error);
        buf.putLong(8, unique);
        return len;
    }

    void u32(int v) {
        buf.putInt(v);
    }

    void u64(long v) {
        buf.putLong(v);
    }

    void zeros(int n) {
        for (int i = 0; i < n; i++) {
            buf.put((byte) 0);
        }
    }

    /** fuse_attr (88 bytes): st_ino is the engine's inode number, as use_ino showed it. */
    void attr(Attr a) {
        u64(a.ino());
        u64(a.size());
        u64(a.blocks512());
        u64(Math.floorDiv(a.atimeNanos(), 1_000_000_000L));
        u64(Math.floorDiv(a.mtimeNanos(), 1_000_000_000L));
        u64(Math.floorDiv(a.ctimeNanos(), 1_000_000_000L));
        u32((int) Math.floorMod(a.atimeNanos(), 1_000_000_000L));
        u32((int) Math.floorMod(a.mtimeNanos(), 1_000_000_000L));
        u32((int) Math.floorMod(a.ctimeNanos(), 1_000_000_000L));
        u32(a.mode());
        u32(a.nlink());
        u32(a.uid());
        u32(a.gid());
        u32(a.rdev());
        u32(a.blksize());
        u32(0);
    }

    /** fuse_entry_out for node {@code nodeid} with both time-outs. */
    void entry(long nodeid, Attr a, Timeouts t) {
        u64(nodeid);
        u64(0); // generation: inode numbers are reused only after the kernel forgot them (nlink 0 is evicted)
        u64(t.entryNanos() / 1_000_000_000L);
        u64(t.attrNanos() / 1_000_000_000L);
        u32((int) (t.entryNanos() % 1_000_000_000L));
        u32((int) (t.attrNanos() % 1_000_000_000L));
        attr(a);
    }

    /** fuse_attr_out. */
    void attrOut(Attr a, Timeouts t) {
        u64(t.attrNanos() / 1_000_000_000L);
        u32((int) (t.attrNanos() % 1_000_000_000L));
        u32(0);
        attr(a);
    }
}
