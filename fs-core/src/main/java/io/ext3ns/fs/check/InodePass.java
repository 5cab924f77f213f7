package io.ext3ns.fs.check;

import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.disk.BlockMapWalker;
import io.ext3ns.fs.disk.CorruptFsException;
import io.ext3ns.fs.disk.DirEntryType;
import io.ext3ns.fs.disk.ExtendedAttributes;
import io.ext3ns.fs.disk.Features;
import io.ext3ns.fs.disk.Geometry;
import io.ext3ns.fs.disk.Inode;
import io.ext3ns.fs.disk.Superblock;
import io.ext3ns.fs.disk.XattrEntry;
import java.io.IOException;

/**
 * Pass 1, as e2fsck's: claims the metadata blocks of every group, then reads every inode of every inode table (not
 * only those the bitmap calls used) and checks in-use inodes: mode, dtime, every block pointer in range and claimed
 * once, i_blocks, and the size against the block map, extended attributes (in the inode and in blocks: every
 * field and hash; each block's h_refcount against the inodes pointing at it). Deleted inodes must carry a dtime.
 */
final class InodePass {
    static final int PASS = 1;
    /** e2fsck gives up on an inode after this many illegal blocks. */
    private static final int MAX_BAD_POINTERS = 12;
    private static final long RESIZE_INO = ResizeInodeCheck.RESIZE_INO;
    private static final long JOURNAL_INO = 8;
    private static final long BAD_BLOCKS_INO = 1;
    private static final long USR_QUOTA_INO = 3;
    private static final long GRP_QUOTA_INO = 4;
    private static final long BOOT_LOADER_INO = 5;
    /** EXT4_CASEFOLD_FL: needs the casefold feature, which ext3 does not have. */
    private static final long FL_CASEFOLD = 0x40000000L;

    private final CheckState st;
    private final Geometry geo;
    private final int bs;
    private final long now;

    InodePass(CheckState st, long nowEpochSeconds) {
        this.st = st;
        this.geo = st.geo;
        this.bs = geo.blockSize();
        this.now = nowEpochSeconds;
    }

    void run() throws IOException {
        claimMetadata();
        long ipg = geo.inodesPerGroup();
        int perChunk = Math.max(1, (8 << 20) / bs);
        for (int g = 0; g < st.volume.groupCount(); g++) {
            long table = st.volume.descriptor(g).inodeTable();
            long tableBlocks = geo.inodeTableBlocks();
            for (long b = 0; b < tableBlocks; b += perChunk) {
                int n = (int) Math.min(perChunk, tableBlocks - b);
                byte[] chunk = new byte[n * bs];
                st.volume.blocks().read(table + b, chunk);
                long firstIndex = b * geo.inodesPerBlock();
                long count = Math.min((long) n * geo.inodesPerBlock(), ipg - firstIndex);
                for (int i = 0; i < count; i++) {
                    long ino = g * ipg + firstIndex + i + 1;
                    checkInode(ino, Inode.decode(chunk, i * geo.inodeSize(), geo.inodeSize()));
                }
                st.progress.update(g * ipg + firstIndex + count);
            }
        }
        checkAttributeBlockRefcounts();
    }

    /** Superblock and descriptor copies, reserved GDT, bitmaps and inode tables of every group. */
    private void claimMetadata() {
        for (long g = 0; g < geo.groupCount(); g++) {
            long first = geo.groupFirstBlock(g);
            for (long b = 0; b < geo.superAndGdtBlocks(g); b++) {
                claimMeta(first + b, "group " + g + " superblock/descriptor copy");
            }
            var gd = st.volume.descriptor(g);
            claimMeta(gd.blockBitmap(), "group " + g + " block bitmap");
            claimMeta(gd.inodeBitmap(), "group " + g + " inode bitmap");
            for (long b = 0; b < geo.inodeTableBlocks(); b++) {
                claimMeta(gd.inodeTable() + b, "group " + g + " inode table");
            }
        }
    }

    private void claimMeta(long block, String what) {
        if (!st.used.claim(block)) {
            st.report(Problem.error(0, what + " at block " + block + " overlaps other metadata"));
        }
    }

    /**
     * e2fsck's low dtime rule: a dtime below the inode count is an orphan-list link (the kernel chains orphans
     * through i_dtime), left by a list that should have been processed — unless the volume's own times are that
     * small (test images with fake times), where the rule is off.
     */
    private boolean isOrphanListDtime(Inode in) {
        long inodes = st.sb.inodesCount();
        boolean fakeTimes = (st.sb.mkfsTime() != 0 && st.sb.mkfsTime() < inodes)
                || (st.sb.mountTime() != 0 && st.sb.mountTime() < inodes);
        return !fakeTimes && in.dtime() != 0 && in.dtime() < inodes;
    }

    private void checkInode(long ino, Inode in) throws IOException {
        if (isOrphanListDtime(in)) {
            boolean inUse = in.linksCount() != 0;
            st.report(Problem.error(PASS, "inode " + ino + " was part of the orphaned inode list",
                    r -> r.updateInode(ino, x -> x.setDtime(inUse ? 0 : now))));
        }
        long firstIno = st.sb.firstIno();
        if (ino < firstIno) {
            checkReserved(ino, in);
            return;
        }
        if (in.linksCount() == 0) {
            if (in.mode() != 0 && in.dtime() == 0) {
                st.report(Problem.error(PASS, "deleted inode " + ino + " has zero dtime",
                        r -> r.updateInode(ino, x -> x.setDtime(now))));
            }
            return;
        }
        checkInUse(ino, in);
    }

    /** Inodes 1..10, as e2fsck's pass 1 treats them: always "used", their block maps walked and counted. */
    private void checkReserved(long ino, Inode in) throws IOException {
        if ((in.flags() & (Inode.FL_EXTENTS | Inode.FL_INLINE_DATA)) != 0) {
            st.report(Problem.error(PASS, String.format("reserved inode %d has ext4 flags 0x%x", ino, in.flags())));
            return;
        }
        if (ino == FileSystem.ROOT_INO) {
            if (!in.isDirectory() || in.linksCount() == 0) {
                st.report(Problem.error(PASS, "root inode is not an in-use directory (mode 0"
                        + Integer.toOctalString(in.mode()) + ", " + in.linksCount() + " links)"));
                return;
            }
            checkInUse(ino, in);
            return;
        }
        if (ino == RESIZE_INO && st.sb.hasCompat(Features.COMPAT_RESIZE_INODE)) {
            // the reserved GDT blocks it maps are claimed as metadata; only its DIND block is its own
            if (new ResizeInodeCheck(st).run(in)) {
                MapCheck map = new MapCheck(ino, in, false, true);
                map.walk();
                checkBlockCount(ino, in, map.blocks);
            }
            return;
        }
        boolean journal = ino == JOURNAL_INO && st.sb.hasCompat(Features.COMPAT_HAS_JOURNAL)
                && st.sb.journalInum() == JOURNAL_INO;
        if (journal) {
            checkInUse(ino, in);
            return;
        }
        if (ino == BAD_BLOCKS_INO) {
            checkBadBlocksInode(ino, in);
            return;
        }
        if (ino == JOURNAL_INO && (in.linksCount() != 0 || in.blocks512() != 0 || in.block(0) != 0)) {
            st.report(Problem.error(PASS, "journal inode is not in use, but contains data"));
            return;
        }
        if ((ino == USR_QUOTA_INO || ino == GRP_QUOTA_INO)
                && (in.linksCount() != 0 || in.blocks512() != 0 || in.block(0) != 0)) {
            // e2fsck zeroes the whole inode (without the quota feature nothing may live there)
            st.report(Problem.error(PASS, "quota inode " + ino + " is not in use, but contains data",
                    r -> r.updateInode(ino, Inode::clearForReuse)));
            return;
        }
        // e2fsck: the boot loader inode may have any mode but a directory's, the resize inode a regular file's
        boolean modeOk = ino == BOOT_LOADER_INO ? !in.isDirectory()
                : in.mode() == 0 || (ino == RESIZE_INO && in.isRegular());
        if (!modeOk) {
            st.report(Problem.error(PASS, String.format("reserved inode %d has bad mode 0%o", ino, in.mode()),
                    r -> r.updateInode(ino, x -> x.setMode(0))));
        }
        walkAndCount(ino, in);
    }

    /**
     * Walks a reserved inode's map (claiming its blocks) when its mode gives it one (e2fsck's
     * ext2fs_inode_has_valid_blocks: a directory, a regular file, a slow symlink; the bad block inode always),
     * and checks i_blocks against what was walked.
     */
    private void walkAndCount(long ino, Inode in) throws IOException {
        long blocks = 0;
        long lastLogical = -1;
        if (ino == BAD_BLOCKS_INO || in.isRegular() || in.isDirectory() || (in.isSymlink() && !in.isFastSymlink())) {
            MapCheck map = new MapCheck(ino, in, false);
            map.walk();
            blocks = map.blocks;
            lastLogical = map.lastLogical;
        }
        // e2fsck's check_blocks judges every reserved inode's size too: never past the largest file
        if (!in.isSymlink() && in.size() > maxTreeBytes()) {
            long want = (lastLogical + 1) * bs;
            st.report(Problem.error(PASS, "inode " + ino + ", i_size " + in.size() + " exceeds the largest file, "
                    + "should be " + want, r -> r.updateInode(ino, x -> x.setSize(want))));
        }
        checkBlockCount(ino, in, blocks);
    }

    /**
     * Inode 1 lists bad blocks as a file would map them; as e2fsck, anything but blocks in it (a mode, owner, links,
     * an EA block) makes it invalid, and a repair clears it.
     */
    private void checkBadBlocksInode(long ino, Inode in) throws IOException {
        if (in.mode() != 0 || in.uid() != 0 || in.gid() != 0 || in.linksCount() != 0 || in.fileAcl() != 0) {
            st.report(Problem.error(PASS, "the bad block inode looks invalid",
                    r -> r.updateInode(ino, Inode::clearForReuse)));
            return;
        }
        walkAndCount(ino, in);
    }

    private void checkInUse(long ino, Inode in) throws IOException {
        boolean named = ino == FileSystem.ROOT_INO || ino >= st.sb.firstIno(); // e2fsck skips the journal here
        if (named && (in.faddr() != 0 || in.blocksHigh() != 0 || in.fileAclHigh() != 0)) {
            st.report(Problem.error(PASS, "inode " + ino + " has non-zero i_faddr / i_blocks_hi / i_file_acl_hi",
                    r -> r.updateInode(ino, Inode::clearUnusedHighFields)));
        }
        checkExtraIsize(ino, in);
        if (in.isDirectory() && (in.flags() & FL_CASEFOLD) != 0) {
            st.report(Problem.error(PASS, "directory " + ino + " has the casefold flag, but the casefold feature is"
                    + " not enabled", r -> r.updateInode(ino, x -> x.setFlags(x.flags() & ~FL_CASEFOLD))));
        }
        if ((in.flags() & Inode.FL_IMAGIC) != 0 && !st.sb.hasCompat(Features.COMPAT_IMAGIC_INODES)) {
            st.report(Problem.error(PASS, "inode " + ino + " has imagic flag set",
                    r -> r.updateInode(ino, x -> x.setFlags(x.flags() & ~Inode.FL_IMAGIC))));
        }
        if (in.dtime() != 0 && !isOrphanListDtime(in)) {
            st.report(Problem.error(PASS, "inode " + ino + " is in use, but has dtime set",
                    r -> r.updateInode(ino, x -> x.setDtime(0))));
        }
        int type = in.fileType();
        boolean knownType = DirEntryType.ofMode(type) != DirEntryType.UNKNOWN;
        if (!knownType) {
            st.report(Problem.error(PASS, String.format("inode %d has bad mode 0%o", ino, in.mode())));
        }
        if ((in.flags() & (Inode.FL_EXTENTS | Inode.FL_INLINE_DATA)) != 0) {
            st.report(Problem.error(PASS, String.format("inode %d has ext4 flags 0x%x", ino, in.flags())));
            st.inodes.put(ino, new CheckState.InodeInfo(ino, in.mode(), in.linksCount()));
            return;
        }
        boolean hasMap = in.isRegular() || in.isDirectory() || (in.isSymlink() && !in.isFastSymlink());
        st.inodes.put(ino, new CheckState.InodeInfo(ino, in.mode(), in.linksCount()));
        if (in.isDirectory()) {
            st.dirsPerGroup.merge(geo.groupOfInode(ino), 1L, Long::sum);
            st.dirs.put(ino, new CheckState.DirInfo(ino));
        }
        if (!knownType) {
            return;
        }
        long blocks = 0;
        MapCheck map = null;
        if (hasMap) {
            map = new MapCheck(ino, in, in.isDirectory());
            if (cutsBlocksPastSize(in)) {
                map.cutAt = (in.size() + bs - 1) / bs;
            }
            map.walk();
            blocks = map.blocks - map.pastCut;
        } else if (in.isSymlink()) {
            checkFastSymlink(ino, in);
        } else {
            checkSpecialFile(ino, in);
        }
        blocks += extendedAttributeBlock(ino, in);
        if (map != null) {
            checkSize(ino, in, map, blocks);
        }
        checkInInodeAttributes(ino, in);
        checkBlockCount(ino, in, blocks);
    }

    /**
     * Where a regular file's blocks past its size are let go rather than covered by a larger size (e2fsck's
     * repair): on a volume without a journal that was not cleanly unmounted. A write-back cut short by a crash
     * leaves exactly that there (indirect blocks go home before the inode table, so a grown file's new blocks can
     * be mapped under its last committed size), and those blocks hold data of a size that never committed (a block
     * written part-full reads zeros after its data). Growing the size would show those zeros inside the file;
     * cutting at the committed size restores what the last write-back committed. Elsewhere (a journal makes each
     * write-back atomic; a clean volume had no crash) the mismatch is damage, repaired as e2fsck does.
     */
    private boolean cutsBlocksPastSize(Inode in) {
        return in.isRegular() && !st.sb.hasCompat(Features.COMPAT_HAS_JOURNAL)
                && (st.sb.state() & Superblock.STATE_VALID) == 0;
    }

    /**
     * e2fsck's check_inode_extra_space: a large inode's i_extra_isize is 0 or a multiple of 4 within [4, inode
     * size - 128]; -y puts s_want_extra_isize where it is out of range and rounds it up to 4 otherwise.
     */
    private void checkExtraIsize(long ino, Inode in) {
        int extra = in.extraIsize();
        int max = geo.inodeSize() - 128;
        if (geo.inodeSize() <= 128 || extra == 0 || (extra >= 4 && extra <= max && extra % 4 == 0)) {
            return;
        }
        int want = extra < 4 || extra > max ? st.sb.wantExtraIsize() : (extra + 3) & ~3;
        st.report(Problem.error(PASS, "inode " + ino + " has an extra size (" + extra + ") which is invalid",
                r -> r.updateInode(ino, x -> x.setExtraIsize(want))));
    }

    private void checkBlockCount(long ino, Inode in, long blocks) {
        long expected = blocks * (bs / 512);
        if (in.blocks512() != expected) {
            st.report(Problem.error(PASS, "inode " + ino + ", i_blocks is " + in.blocks512() + ", should be "
                    + expected, r -> r.updateInode(ino, x -> x.setBlocks512(expected))));
        }
    }

    /** e2fsck's size rules: a directory is exactly its mapped blocks; a file maps nothing past the block of i_size. */
    private void checkSize(long ino, Inode in, MapCheck map, long keptBlocks) {
        long size = in.size();
        if (in.isDirectory()) {
            long want = (map.lastLogical + 1) * bs;
            if (size % bs != 0 || size != want) {
                st.report(Problem.error(PASS, "directory inode " + ino + ", i_size is " + size + ", should be "
                        + want, r -> r.updateInode(ino, x -> x.setSize(want))));
            }
            return;
        }
        if (in.isSymlink()) {
            checkSlowSymlink(ino, in, map);
            return;
        }
        long maxSize = maxTreeBytes();
        if (map.pastCut > 0) {
            long keep = map.cutAt;
            long sectors = keptBlocks * (bs / 512);
            st.report(Problem.error(PASS, "inode " + ino + ", i_size is " + size + ", but " + map.pastCut
                    + " blocks from file block " + keep + " on lie past it (a write-back cut short by a crash): "
                    + "cut them off", r -> r.cutBlockMap(ino, keep, sectors)));
        } else if (map.lastLogical >= 0 && size < map.lastLogical * bs) {
            long want = map.lastLogical * bs + bs;
            st.report(Problem.error(PASS, "inode " + ino + ", i_size is " + size + ", should be " + want,
                    r -> r.updateInode(ino, x -> x.setSize(want))));
        } else if (size > maxSize) {
            long want = (map.lastLogical + 1) * bs;
            st.report(Problem.error(PASS, "inode " + ino + ", i_size " + size + " exceeds the largest file "
                    + maxSize + ", should be " + want, r -> r.updateInode(ino, x -> x.setSize(want))));
        }
    }

    private long maxTreeBytes() {
        long cap = st.volume.shape().treeCapacity();
        return cap > Long.MAX_VALUE / bs ? Long.MAX_VALUE : cap * bs;
    }

    private void checkSlowSymlink(long ino, Inode in, MapCheck map) {
        if (in.size() >= bs || map.blocks != 1 || map.lastLogical != 0) {
            st.report(Problem.error(PASS, "symlink " + ino + " is invalid (size " + in.size() + ", "
                    + map.blocks + " blocks)", r -> r.clearInode(ino)));
        }
    }

    private void checkFastSymlink(long ino, Inode in) {
        byte[] area = in.blockArea();
        int len = 0;
        while (len < area.length && area[len] != 0) {
            len++;
        }
        if (len != in.size()) {
            st.report(Problem.error(PASS, "fast symlink " + ino + " is invalid (size " + in.size()
                    + ", target length " + len + ")", r -> r.clearInode(ino)));
        }
    }

    /** Devices, FIFOs and sockets own no blocks: i_block holds at most a device number, and size is 0. */
    private void checkSpecialFile(long ino, Inode in) {
        for (int i = 4; i < Inode.N_BLOCKS; i++) {
            if (in.block(i) != 0) {
                st.report(Problem.error(PASS, "special file " + ino + " has block pointers"));
                return;
            }
        }
        if (in.size() != 0) {
            st.report(Problem.error(PASS, "special file " + ino + " has size " + in.size() + ", should be 0",
                    r -> r.updateInode(ino, x -> x.setSize(0))));
        }
    }

    /** The i_file_acl block (ext_attr): claimed once however many inodes share it, counted in each i_blocks. */
    private long extendedAttributeBlock(long ino, Inode in) throws IOException {
        long acl = in.fileAcl();
        if (acl == 0) {
            return 0;
        }
        if (!geo.isDataBlockInRange(acl)) {
            st.report(Problem.error(PASS, "inode " + ino + " has an illegal extended attribute block " + acl));
            return 0;
        }
        boolean first = st.attributeBlockRefs.merge(acl, 1L, Long::sum) == 1;
        if (first && claimChecked(ino, acl, "extended attribute block") > 0) {
            checkAttributeBlock(ino, acl);
        }
        return 1;
    }

    /** e2fsck's check_ext_attr: header, every entry and value inside the block, entry hashes. */
    private void checkAttributeBlock(long ino, long block) throws IOException {
        byte[] b = new byte[bs];
        st.volume.blocks().read(block, b);
        try {
            checkHashes(ino, ExtendedAttributes.decodeBlock(b, "inode " + ino + ": extended attribute block " + block),
                    "extended attribute block " + block, false);
        } catch (CorruptFsException e) {
            st.report(Problem.error(PASS, e.getMessage()));
        }
    }

    /** Attributes in a large inode after i_extra_isize: entries and values inside the inode, hashes 0 or right. */
    private void checkInInodeAttributes(long ino, Inode in) {
        try {
            checkHashes(ino, in.inInodeXattrs(ino), "the inode", true);
        } catch (CorruptFsException e) {
            st.report(Problem.error(PASS, e.getMessage()));
        }
    }

    /** e_hash must be the unsigned or (older kernels) the signed-char hash; in the inode 0 is allowed too. */
    private void checkHashes(long ino, java.util.List<XattrEntry> entries, String where, boolean inInode) {
        for (XattrEntry e : entries) {
            int h = e.storedHash();
            if (!(inInode && h == 0) && h != ExtendedAttributes.entryHash(e.name(), e.value())
                    && h != ExtendedAttributes.entryHashSigned(e.name(), e.value())) {
                st.report(Problem.error(PASS, "inode " + ino + ": extended attribute in " + where
                        + " has a bad hash"));
            }
        }
    }

    /** Pass 1's end: each attribute block's h_refcount must be the number of inodes pointing at it. */
    private void checkAttributeBlockRefcounts() throws IOException {
        for (var ref : st.attributeBlockRefs.entrySet()) {
            long block = ref.getKey();
            long counted = ref.getValue();
            byte[] b = new byte[bs];
            st.volume.blocks().read(block, b);
            ExtendedAttributes.BlockHeader h = ExtendedAttributes.header(b);
            if (h.magic() == ExtendedAttributes.MAGIC && h.refcount() != counted) {
                st.report(Problem.error(PASS, "extended attribute block " + block + " has reference count "
                        + h.refcount() + ", should be " + counted, r -> {
                            ExtendedAttributes.setRefcount(b, counted);
                            r.writeBlock(block, b);
                        }));
            }
        }
    }

    /** 1 when the pointer is inside the volume, else -1 after reporting it. */
    private int rangeChecked(long ino, long block, String what) {
        if (!geo.isDataBlockInRange(block)) {
            st.report(Problem.error(PASS, "inode " + ino + " has an illegal " + what + " " + block));
            return -1;
        }
        return 1;
    }

    /** Claims a block for an inode; -1 when the pointer is illegal, 0 when the block was already claimed. */
    private int claimChecked(long ino, long block, String what) {
        if (rangeChecked(ino, block, what) < 0) {
            return -1;
        }
        if (!st.used.claim(block)) {
            st.report(Problem.error(PASS, "inode " + ino + " claims block " + block + " (" + what
                    + ") that is already in use (duplicate block)"));
            return 0;
        }
        return 1;
    }

    /** One inode's block map walk: range and duplicate checks, counts, last block, fragmentation. */
    private final class MapCheck implements BlockMapWalker.Visitor {
        final long ino;
        final Inode inode;
        final CheckState.DirInfo dir;
        /** The resize inode: pointers are range-checked and counted, but only its DIND block is claimed. */
        final boolean claimOnlyDind;
        long blocks;
        long lastLogical = -1;
        /** File block from which a repair would cut the map ({@link #cutsBlocksPastSize}); none by default. */
        long cutAt = Long.MAX_VALUE;
        /** Of {@link #blocks}, those the cut would let go: data blocks at or past it, indirect blocks wholly past. */
        long pastCut;
        long previous;
        boolean fragmented;
        int bad;

        MapCheck(long ino, Inode inode, boolean isDir) {
            this(ino, inode, isDir, false);
        }

        MapCheck(long ino, Inode inode, boolean isDir, boolean claimOnlyDind) {
            this.ino = ino;
            this.inode = inode;
            this.dir = isDir ? st.dirs.get(ino) : null;
            this.claimOnlyDind = claimOnlyDind;
        }

        void walk() throws IOException {
            st.volume.walker().walk(inode, this);
            if (fragmented && !claimOnlyDind) {
                st.fragmentedFiles++;
            }
        }

        @Override
        public boolean indirect(long physical, int level, long firstLogical) {
            if (bad > MAX_BAD_POINTERS) {
                return false;
            }
            if (!account(physical, "indirect block (level " + level + ")", !claimOnlyDind || level == 2)) {
                return false;
            }
            if (firstLogical >= cutAt) {
                pastCut++;
            }
            return true; // read even a doubly claimed indirect block: its pointers are checked one by one
        }

        /** Out-of-range pointers are reported as e2fsck does; a repeated indirect block is claimed again (duplicate). */
        @Override
        public boolean bad(BlockMapWalker.Bad kind, long physical, int level, long firstLogical) {
            if (kind == BlockMapWalker.Bad.REPEATED_INDIRECT) {
                return true;
            }
            if (bad > MAX_BAD_POINTERS) {
                return false;
            }
            account(physical, level == 0 ? "block #" + firstLogical : "indirect block (level " + level + ")", false);
            return false;
        }

        @Override
        public void data(long logical, long physical) {
            if (bad > MAX_BAD_POINTERS) {
                return;
            }
            if (!account(physical, "block #" + logical, !claimOnlyDind)) {
                return;
            }
            lastLogical = Math.max(lastLogical, logical);
            if (logical >= cutAt) {
                pastCut++;
            }
            if (dir != null) {
                dir.blocks.add(new long[] {logical, physical});
            }
        }

        private boolean account(long physical, String what, boolean claim) {
            int claimed = claim ? claimChecked(ino, physical, what) : rangeChecked(ino, physical, what);
            if (claimed < 0) {
                if (++bad > MAX_BAD_POINTERS) {
                    st.report(Problem.error(PASS, "inode " + ino + " has too many illegal blocks"));
                }
                return false;
            }
            blocks++;
            if (previous != 0 && physical != previous + 1) {
                fragmented = true;
            }
            previous = physical;
            return true;
        }
    }
}
