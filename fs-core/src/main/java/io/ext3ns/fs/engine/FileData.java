package io.ext3ns.fs.engine;

import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.cache.CachedBlock;
import io.ext3ns.fs.disk.Inode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;

/**
 * File contents (Linux fs/ext2/file.c + the data side of inode.c): the legacy buffered read and write paths, write
 * gathering, truncation, preallocation, hole punching, zeroing ranges and the zero-copy fast path. The caller
 * holds the inode's lock (read for reads, write for everything else) and writes the inode back afterwards.
 *
 * <p>Ordered mode: a data block is written to the device before the block map (metadata) that points at it can
 * reach the metadata seam, because metadata is only written back after {@link #flushGathered} and after the volume
 * has drained its write-behind queue ({@link Volume#writeBack}).
 *
 * <p>Writes gather straight into aligned direct buffers (one copy from the caller's buffer, none on the heap); a full
 * block is written behind the caller ({@link BlockIo#writeBlockBehind}) and its failure reported through its
 * {@link OpenInode}.
 */
final class FileData {
    /** Blocks gathered per open inode before an early flush. */
    private static final int MAX_GATHERED = 8;

    private final Volume vol;
    private final BlockMap map;
    private final BlockAllocator balloc;
    private final CachedReads cache;
    private final int bs;
    private final byte[] zeros;

    FileData(Volume vol, BlockMap map, BlockAllocator balloc, CachedReads cache) {
        this.vol = vol;
        this.map = map;
        this.balloc = balloc;
        this.cache = cache;
        this.bs = vol.geo.blockSize();
        this.zeros = new byte[bs];
    }

    // ---- buffered read, through the block cache ----

    /**
     * Copies from the cache's units (filled on this thread when missing; gathered blocks are in them) and reads
     * ahead for a sequential reader. When every unit is leased by readers, the blocks are read without the cache.
     */
    int read(OpenFile h, Inode in, long offset, ByteBuffer dst) throws IOException {
        long ino = h.ino();
        if (offset < 0) {
            throw new FsException(Errno.EINVAL, "negative offset " + offset);
        }
        long size = in.size();
        if (offset >= size || !dst.hasRemaining()) {
            return 0;
        }
        int len = (int) Math.min(dst.remaining(), size - offset);
        int ub = cache.unitBytes();
        int done = 0;
        while (done < len) {
            long pos = offset + done;
            int inUnit = (int) (pos % ub);
            int n = Math.min(len - done, ub - inUnit);
            CachedBlock unit = cache.lease(ino, pos / ub);
            if (unit == null) {
                forEachBlock(pos, n, (fb, inBlock, k) -> dst.put(dst.position(), blockContents(ino, in, h.state, fb),
                        inBlock, k).position(dst.position() + k));
            } else {
                try {
                    dst.put(dst.position(), unit.view(), inUnit, n).position(dst.position() + n);
                } finally {
                    unit.ref().release();
                }
            }
            done += n;
        }
        cache.readAhead(h, size, offset, offset + len);
        return len;
    }

    /**
     * The current bytes of file block {@code fb} without the cache (read them by absolute index; the buffer may be
     * shared): gathered, read from the device, or zeros for a hole.
     */
    private ByteBuffer blockContents(long ino, Inode in, OpenInode state, long fb) throws IOException {
        if (state != null) {
            ByteBuffer g = state.gathered.get(fb);
            if (g != null) {
                return g;
            }
        }
        long phys = map.map(ino, in, fb);
        return ByteBuffer.wrap(phys == 0 ? zeros : vol.io.readBlock(phys));
    }

    // ---- legacy write with gathering ----

    int write(OpenFile h, Inode in, long offset, ByteBuffer src) throws IOException {
        long ino = h.ino();
        int len = src.remaining();
        if (offset < 0) {
            throw new FsException(Errno.EINVAL, "negative offset " + offset);
        }
        long end = offset + len;
        if (end > map.shape().maxFileSize() || end < 0) {
            throw new FsException(Errno.EFBIG, "inode " + ino + ": write to " + end + " beyond the largest file ("
                    + map.shape().maxFileSize() + " bytes)");
        }
        if (len == 0) {
            return 0;
        }
        long oldSize = in.size();
        OpenInode st = h.state;
        try {
            if (offset > oldSize) {
                zeroPastEnd(ino, in, st, oldSize, offset);
            }
            writeGathered(ino, in, st, offset, len, src);
        } finally {
            cache.changed(ino, Math.min(offset, oldSize), Math.max(end, oldSize));
        }
        return len;
    }

    private void writeGathered(long ino, Inode in, OpenInode st, long offset, int len, ByteBuffer src)
            throws IOException {
        long end = offset + len;
        long oldSize = in.size();
        try {
            forEachBlock(offset, len, (fb, inBlock, n) -> {
                ByteBuffer block = st.gathered.get(fb);
                if (block == null) {
                    block = vol.io.blockBuffer();
                    if (n != bs) {
                        block.put(0, blockContents(ino, in, null, fb), 0, bs);
                    }
                    st.gathered.put(fb, block);
                }
                block.put(inBlock, src, src.position(), n);
                src.position(src.position() + n);
                if (inBlock + n == bs) {
                    flushBlock(ino, in, st, fb);
                }
            });
            if (end > in.size()) {
                in.setSize(end);
            }
            if (st.gathered.size() > MAX_GATHERED) {
                flushGathered(ino, in, st);
            }
        } catch (FsException e) {
            undoGrowth(ino, in, st, oldSize);
            throw e;
        }
    }

    /** The piece of one block a byte range covers: file block, offset in it, length. */
    @FunctionalInterface
    private interface BlockPiece {
        void apply(long fileBlock, int inBlock, int length) throws IOException;
    }

    /** Splits [offset, offset+len) at block boundaries. */
    private void forEachBlock(long offset, int len, BlockPiece piece) throws IOException {
        int done = 0;
        while (done < len) {
            long pos = offset + done;
            int inBlock = (int) (pos % bs);
            int n = Math.min(len - done, bs - inBlock);
            piece.apply(pos / bs, inBlock, n);
            done += n;
        }
    }

    /** A failed write (ENOSPC, EFBIG) leaves nothing mapped past the old size, as e2fsck requires. */
    private void undoGrowth(long ino, Inode in, OpenInode st, long oldSize) throws IOException {
        cache.changed(ino, oldSize, Long.MAX_VALUE);
        long keep = (oldSize + bs - 1) / bs;
        st.gathered.tailMap(keep, true).clear();
        in.setSize(oldSize);
        map.truncate(ino, in, keep, balloc::free);
    }

    /** Writes every gathered block of the inode to the device (allocating as needed). */
    void flushGathered(long ino, Inode in, OpenInode st) throws IOException {
        while (!st.gathered.isEmpty()) {
            flushBlock(ino, in, st, st.gathered.firstKey());
        }
    }

    /**
     * As {@link #flushGathered}, but a block that fails (no space left for it) is dropped and the rest still go:
     * the commit calling this must not keep gathered data behind a size it commits. Returns the first failure.
     */
    IOException flushGatheredPastErrors(long ino, Inode in, OpenInode st) {
        IOException first = null;
        while (!st.gathered.isEmpty()) {
            long fb = st.gathered.firstKey();
            try {
                flushBlock(ino, in, st, fb);
            } catch (IOException e) {
                st.gathered.remove(fb);
                if (first == null) {
                    first = e;
                }
            }
        }
        return first;
    }

    private void flushBlock(long ino, Inode in, OpenInode st, long fb) throws IOException {
        long phys;
        try {
            phys = mapForWrite(ino, in, st, fb);
        } catch (FsException e) {
            st.gathered.remove(fb);
            throw e;
        }
        ByteBuffer data = st.gathered.remove(fb); // cached units hold these bytes already (filled over gathered)
        vol.io.writeBlockBehind(phys, data, e -> {
            // counted on the volume first: whoever reports the inode's error has the volume's count with it
            vol.recordError("writing data block " + phys + " of inode " + st.ino, e);
            st.writeFailed(e);
        });
    }

    /** Maps file block {@code fb} for writing: new blocks come from the inode's allocation window. */
    private long mapForWrite(long ino, Inode in, OpenInode st, long fb) throws IOException {
        long goal = goalFor(ino, in, fb);
        BlockMap.BlockSource src = new BlockMap.BlockSource() {
            @Override
            public long dataBlock() throws IOException {
                return balloc.allocateData(st.window, goal, count -> map.indirectBlocksFor(fb, count));
            }

            @Override
            public long indirectBlock() throws IOException {
                return balloc.allocateIndirect(st.window, goal);
            }
        };
        boolean[] fresh = new boolean[1];
        return map.mapOrAllocate(ino, in, fb, src, fresh);
    }

    /** ext2_find_goal: after the previous file block's physical block, else at the start of the inode's group. */
    private long goalFor(long ino, Inode in, long fb) throws IOException {
        if (fb > 0) {
            long prev = map.map(ino, in, fb - 1);
            if (prev != 0) {
                return prev + 1;
            }
        }
        return vol.geo.groupFirstBlock(vol.geo.groupOfInode(ino));
    }

    // ---- truncate and preallocation ----

    /**
     * Sets the size: shrinking frees the blocks past it, growing first zeroes what the old last block holds past the
     * old size. A shrink leaves the bytes past the new size in place: zeroing them on the device before the shrink
     * has committed would show zeros inside the old size after a crash. The engine commits a shrink to a size
     * inside a block at once and then zeroes the tail ({@link #zeroTailAfterShrink}); until then, a growth that
     * would expose those bytes zeroes them itself ({@link #zeroPastEnd}).
     */
    void truncate(long ino, Inode in, OpenInode st, long size) throws IOException {
        if (size < 0) {
            throw new FsException(Errno.EINVAL, "negative size " + size);
        }
        if (size > map.shape().maxFileSize()) {
            throw new FsException(Errno.EFBIG, "inode " + ino + ": size " + size + " beyond the largest file");
        }
        long keep = (size + bs - 1) / bs;
        long oldSize = in.size();
        try {
            if (st != null) {
                st.gathered.tailMap(keep, true).clear();
            }
            if (size > oldSize) {
                zeroPastEnd(ino, in, st, oldSize, size);
            }
            map.truncate(ino, in, keep, balloc::free);
            in.setSize(size);
        } finally {
            cache.changed(ino, Math.min(size, oldSize), Long.MAX_VALUE);
        }
    }

    /** True when shrinking to {@code size} leaves a last block with old bytes past the size (see truncate). */
    boolean shrinkLeavesTail(Inode in, long size) {
        return size < in.size() && size % bs != 0;
    }

    /**
     * Once a shrink to {@code size} has committed: the new last block's bytes past the size become zeros on the
     * device too (ext3 keeps them zero, and the kernel relies on it when it grows a file), now that no committed
     * size covers them. Nothing if the size changed meanwhile (a growth zeroed them already).
     */
    void zeroTailAfterShrink(long ino, Inode in, OpenInode st, long size) throws IOException {
        if (in.size() != size || size % bs == 0) {
            return;
        }
        int from = (int) (size % bs);
        long fb = size / bs;
        cache.changed(ino, size, Long.MAX_VALUE);
        ByteBuffer g = st != null ? st.gathered.get(fb) : null;
        if (g != null) {
            g.put(from, zeros, 0, bs - from);
            return;
        }
        long phys = map.map(ino, in, fb);
        if (phys != 0) {
            byte[] b = vol.io.readBlock(phys);
            Arrays.fill(b, from, bs, (byte) 0);
            writeNow(phys, b);
        }
    }

    /**
     * Before the size grows past {@code oldSize}: bytes [oldSize, contentFrom) of the old last block become file
     * contents without being written and must read as zeros, whatever an earlier shrink left there ({@code
     * contentFrom}: where the growing write starts, or the new size). Zeroed in the gathered copy of an open file
     * (written with its data, before the commit that grows the size), else written now: either way the zeros lie
     * past the committed size until the growth commits, so a crash shows no zeros inside a file. An append
     * ({@code contentFrom == oldSize}) zeroes nothing.
     */
    private void zeroPastEnd(long ino, Inode in, OpenInode st, long oldSize, long contentFrom) throws IOException {
        int from = (int) (oldSize % bs);
        if (from == 0 || contentFrom <= oldSize) {
            return;
        }
        long fb = oldSize / bs;
        int to = (int) Math.min(bs, contentFrom - fb * bs);
        ByteBuffer g = st != null ? st.gathered.get(fb) : null;
        if (g == null) {
            long phys = map.map(ino, in, fb);
            if (phys == 0) {
                return; // a hole reads as zeros
            }
            if (st == null) {
                byte[] b = vol.io.readBlock(phys);
                Arrays.fill(b, from, to, (byte) 0);
                writeNow(phys, b);
                return;
            }
            g = vol.io.blockBuffer();
            g.put(0, ByteBuffer.wrap(vol.io.readBlock(phys)), 0, bs);
            st.gathered.put(fb, g);
        }
        g.put(from, zeros, 0, to - from);
    }

    /** A synchronous data block write; a failure is also recorded on the volume (marked with errors). */
    private void writeNow(long phys, byte[] b) throws IOException {
        try {
            vol.io.writeBlock(phys, b);
        } catch (IOException e) {
            vol.recordError("writing data block " + phys, e);
            throw e;
        }
    }

    /**
     * Allocates (and zeroes: ext3 has no unwritten extents) every missing block of [offset, offset+length), through
     * the file's window so the blocks are contiguous; the size grows to offset+length if it was smaller.
     */
    void fallocate(long ino, Inode in, OpenInode st, long offset, long length) throws IOException {
        long end = checkedEnd(ino, offset, length);
        long oldSize = in.size();
        cache.changed(ino, Math.min(offset, oldSize), Long.MAX_VALUE);
        try {
            if (end > oldSize) {
                zeroPastEnd(ino, in, st, oldSize, end);
            }
            allocateHoles(ino, in, st, offset / bs, (end - 1) / bs);
        } catch (FsException e) {
            undoGrowth(ino, in, st, oldSize);
            throw e;
        }
        if (end > in.size()) {
            in.setSize(end);
        }
    }

    /**
     * FALLOC_FL_KEEP_SIZE: allocates the holes of [offset, offset+length) and leaves the size. Only up to the end
     * of the file's last block: ext3's block map has no unwritten extents, so a block past i_size would be a block
     * past the end of the file to e2fsck ("i_size is ..., should be ..."); a range reaching further is EOPNOTSUPP,
     * changing nothing, which is the kernel's own answer for ext3 (it refuses every preallocation there).
     */
    void fallocateKeepSize(long ino, Inode in, OpenInode st, long offset, long length) throws IOException {
        long end = checkedEnd(ino, offset, length);
        requireWithinLastBlock(ino, in, end);
        cache.changed(ino, offset, end);
        allocateHoles(ino, in, st, offset / bs, (end - 1) / bs);
    }

    /**
     * FALLOC_FL_PUNCH_HOLE (with KEEP_SIZE): [offset, offset+length) reads as zeros afterwards; the blocks it covers
     * whole are freed, with the indirect blocks left empty; the partly covered ones are zeroed in that part. A hole
     * reaching the end of the file reaches the end of its last block, as ext4_punch_hole rounds it. The size stays.
     */
    void punchHole(long ino, Inode in, OpenInode st, long offset, long length) throws IOException {
        long end = checkedEnd(ino, offset, length);
        long size = in.size();
        if (offset >= size) {
            return;
        }
        cache.changed(ino, offset, Long.MAX_VALUE);
        if (end >= size) {
            end = roundUp(size);
        }
        long firstWhole = (offset + bs - 1) / bs;
        long endWhole = end / bs;
        if (firstWhole > endWhole) { // inside one block
            zeroPart(ino, in, st, offset / bs, (int) (offset % bs), (int) ((end - 1) % bs) + 1, false);
            return;
        }
        if (offset % bs != 0) {
            zeroPart(ino, in, st, offset / bs, (int) (offset % bs), bs, false);
        }
        if (end % bs != 0) {
            zeroPart(ino, in, st, end / bs, 0, (int) (end % bs), false);
        }
        if (firstWhole < endWhole) {
            st.gathered.subMap(firstWhole, true, endWhole, false).clear();
            map.freeRange(ino, in, firstWhole, endWhole, balloc::free);
        }
    }

    /**
     * FALLOC_FL_ZERO_RANGE: [offset, offset+length) reads as zeros and every block of it is allocated (zeroed in
     * place, or newly allocated and zeroed); the size grows to offset+length unless {@code keepSize}, which reaches
     * no further than the file's last block ({@link #fallocateKeepSize}).
     */
    void zeroRange(long ino, Inode in, OpenInode st, long offset, long length, boolean keepSize) throws IOException {
        long end = checkedEnd(ino, offset, length);
        if (keepSize) {
            requireWithinLastBlock(ino, in, end);
        }
        long oldSize = in.size();
        cache.changed(ino, Math.min(offset, oldSize), Long.MAX_VALUE);
        try {
            for (long fb = offset / bs; fb <= (end - 1) / bs; fb++) {
                int from = fb == offset / bs ? (int) (offset % bs) : 0;
                int to = fb == (end - 1) / bs ? (int) ((end - 1) % bs) + 1 : bs;
                zeroPart(ino, in, st, fb, from, to, true);
            }
        } catch (FsException e) {
            undoGrowth(ino, in, st, oldSize);
            throw e;
        }
        if (!keepSize && end > in.size()) {
            in.setSize(end);
        }
    }

    /** offset+length of a fallocate range, checked as vfs_fallocate checks it and against the largest file. */
    private long checkedEnd(long ino, long offset, long length) throws FsException {
        if (offset < 0 || length <= 0) {
            throw new FsException(Errno.EINVAL, "fallocate offset " + offset + " length " + length);
        }
        long end = offset + length;
        if (end > map.shape().maxFileSize() || end < 0) {
            throw new FsException(Errno.EFBIG, "inode " + ino + ": fallocate to " + end + " beyond the largest file");
        }
        return end;
    }

    private void requireWithinLastBlock(long ino, Inode in, long end) throws FsException {
        if (end > roundUp(in.size())) {
            throw new FsException(Errno.EOPNOTSUPP, "inode " + ino + ": ext3 cannot keep blocks past the end of"
                    + " the file (no unwritten extents): keep-size range ends at " + end + ", size " + in.size());
        }
    }

    private long roundUp(long size) {
        return (size + bs - 1) / bs * bs;
    }

    /** Allocates and zeroes each unmapped, ungathered block of file blocks [first, last]. */
    private void allocateHoles(long ino, Inode in, OpenInode st, long first, long last) throws IOException {
        // Zeroes go out in runs of consecutive blocks, one large write each, not one block write per block.
        long runStart = -1;
        long runLength = 0;
        for (long fb = first; fb <= last; fb++) {
            if (map.map(ino, in, fb) == 0 && !st.gathered.containsKey(fb)) {
                long phys = mapForWrite(ino, in, st, fb);
                if (runLength > 0 && phys == runStart + runLength) {
                    runLength++;
                    continue;
                }
                zeroNow(runStart, runLength);
                runStart = phys;
                runLength = 1;
            }
        }
        zeroNow(runStart, runLength);
    }

    /** Writes zeros over {@code count} consecutive blocks; a failure is recorded on the volume as in writeNow. */
    private void zeroNow(long firstPhys, long count) throws IOException {
        if (count == 0) {
            return;
        }
        try {
            vol.io.zeroRun(firstPhys, count);
        } catch (IOException e) {
            vol.recordError("zeroing data blocks " + firstPhys + "+" + count, e);
            throw e;
        }
    }

    /**
     * Zeroes bytes [from, to) of file block {@code fb}: in its gathered buffer, or on the device; a hole stays a
     * hole unless {@code allocate}, which gives it a zeroed block.
     */
    private void zeroPart(long ino, Inode in, OpenInode st, long fb, int from, int to, boolean allocate)
            throws IOException {
        ByteBuffer g = st.gathered.get(fb);
        if (g != null) {
            g.put(from, zeros, 0, to - from);
            return;
        }
        long phys = map.map(ino, in, fb);
        if (phys == 0) {
            if (allocate) {
                allocateHoles(ino, in, st, fb, fb);
            }
            return;
        }
        if (from == 0 && to == bs) {
            writeNow(phys, zeros);
            return;
        }
        byte[] b = vol.io.readBlock(phys);
        Arrays.fill(b, from, to, (byte) 0);
        writeNow(phys, b);
    }

    // ---- fast path ----

    /**
     * Reads whole blocks from {@code offset} into {@code dst} straight from the device (contiguous physical runs in
     * one device read each, into slices of {@code dst}); holes are zero-filled. Gathered blocks must have been
     * flushed by the caller. Returns the bytes of file data placed and advances {@code dst} by that much.
     */
    int readDirect(long ino, Inode in, long offset, ByteBuffer dst) throws IOException {
        if (offset < 0 || offset % bs != 0 || dst.remaining() % bs != 0) {
            throw new FsException(Errno.EINVAL, "readDirect needs block-aligned offset and length (block " + bs
                    + "): offset " + offset + ", length " + dst.remaining());
        }
        long size = in.size();
        if (offset >= size || !dst.hasRemaining()) {
            return 0;
        }
        long dataBytes = Math.min(dst.remaining(), size - offset);
        int blocks = (int) ((dataBytes + bs - 1) / bs);
        long firstFb = offset / bs;
        int base = dst.position();
        cache.readBlocks(ino, in, firstFb, blocks, dst.slice(base, blocks * bs));
        int past = blocks * bs - (int) dataBytes; // the last block's bytes past the size: not file contents
        dst.put(base + (int) dataBytes, zeros, 0, past);
        dst.position(base + (int) dataBytes);
        return (int) dataBytes;
    }

    /** See {@link io.ext3ns.fs.api.FileSystem#locateDirect}: runs of physical blocks, asked of the device. */
    java.util.List<io.ext3ns.sda.MemberExtent> locateDirect(long ino, Inode in, long offset, long length)
            throws IOException {
        if (offset < 0 || offset % bs != 0 || length <= 0) {
            throw new FsException(Errno.EINVAL, "locateDirect needs a block-aligned offset and a length: offset "
                    + offset + ", length " + length);
        }
        long blocksInFile = (in.size() + bs - 1) / bs;
        long firstFb = offset / bs;
        long blocks = (length + bs - 1) / bs;
        if (firstFb + blocks > blocksInFile) {
            throw new FsException(Errno.EINVAL, "locateDirect past the end of the file: block " + (firstFb + blocks)
                    + " of " + blocksInFile);
        }
        java.util.List<io.ext3ns.sda.MemberExtent> out = new java.util.ArrayList<>();
        for (long i = 0; i < blocks; ) {
            long phys = map.map(ino, in, firstFb + i);
            if (phys == 0) {
                return null; // a hole: its zeros are on no member
            }
            int run = 1;
            while (i + run < blocks && map.map(ino, in, firstFb + i + run) == phys + run) {
                run++;
            }
            java.util.List<io.ext3ns.sda.MemberExtent> where = vol.io.locateRun(phys, run);
            if (where == null) {
                return null;
            }
            out.addAll(where);
            i += run;
        }
        return out;
    }

    // ---- deletion ----

    /** Frees every block of an inode (data, indirect, extended-attribute block). */
    void freeAllBlocks(long ino, Inode in) throws IOException {
        cache.changed(ino, 0, Long.MAX_VALUE); // the inode number may come back as another file
        if (in.hasBlockMap()) { // a device's i_block holds its number, not blocks
            map.truncate(ino, in, 0, balloc::free);
        }
        long acl = in.fileAcl();
        if (acl != 0) {
            ExtendedAttributeBlock.release(vol, balloc, ino, acl);
        }
    }

    /** Physical blocks of the file in logical order (0 for holes): for fragmentation reports. */
    long[] physicalBlocks(long ino, Inode in) throws IOException {
        return map.physicalBlocks(ino, in, (in.size() + bs - 1) / bs);
    }

    /** Gathered blocks in [fromFb, toFb): the fast path flushes them first. */
    static boolean hasGatheredIn(OpenInode st, long fromFb, long toFb) {
        Map<Long, ByteBuffer> sub = st.gathered.subMap(fromFb, true, toFb, false);
        return !sub.isEmpty();
    }
}
