package io.ext3ns.fs.engine;

import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.disk.DeviceNumber;
import io.ext3ns.fs.disk.DirEntryType;
import io.ext3ns.fs.disk.DirectoryBlock;
import io.ext3ns.fs.disk.Inode;
import io.ext3ns.fs.util.FileNames;
import java.io.IOException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongPredicate;

/**
 * Names (Linux fs/ext2/namei.c): create, mkdir, mknod, rmdir, unlink, rename, rename with exchange, link, symlink.
 *
 * <p>Locking: namespace changes hold the rename lock shared and lock directories before their children (the tree
 * order, so they cannot deadlock); rename holds it exclusively, which also keeps the tree still while it checks that
 * a directory is not moved into its own subtree. Each inode lock is per inode ({@link LockTable}).
 */
final class Namespace {
    /** ext3's EXT3_LINK_MAX (no dir_nlink). */
    static final int LINK_MAX = 32000;

    private final Volume vol;
    private final InodeStore inodes;
    private final LockTable locks;
    private final InodeAllocator ialloc;
    private final BlockAllocator balloc;
    private final Directory dirs;
    private final BlockMap map;
    private final FileData data;
    private final LongPredicate isOpen;
    final ReentrantReadWriteLock renameLock = new ReentrantReadWriteLock();

    Namespace(Volume vol, InodeStore inodes, LockTable locks, InodeAllocator ialloc, BlockAllocator balloc,
              Directory dirs, BlockMap map, FileData data, LongPredicate isOpen) {
        this.vol = vol;
        this.inodes = inodes;
        this.locks = locks;
        this.ialloc = ialloc;
        this.balloc = balloc;
        this.dirs = dirs;
        this.map = map;
        this.data = data;
        this.isOpen = isOpen;
    }

    static long now() {
        java.time.Instant t = java.time.Instant.now();
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    /** Checks one path component and returns its bytes ({@link FileNames}: any bytes but '/' and NUL). */
    static byte[] nameBytes(String name) throws FsException {
        if (name == null || name.isEmpty()) {
            throw new FsException(Errno.ENOENT, "empty name");
        }
        byte[] b = bytes(name);
        if (b.length > DirectoryBlock.MAX_NAME_LEN) {
            throw new FsException(Errno.ENAMETOOLONG, "name of " + b.length + " bytes (max 255)");
        }
        for (byte c : b) {
            if (c == '/' || c == 0) {
                throw new FsException(Errno.EINVAL, "'/' or NUL in name '" + FileNames.printable(name) + "'");
            }
        }
        return b;
    }

    /** A name or symlink target as the bytes it stands for; EINVAL for a String no byte string decodes to. */
    private static byte[] bytes(String name) throws FsException {
        try {
            return FileNames.encode(name);
        } catch (IllegalArgumentException e) {
            throw new FsException(Errno.EINVAL, e.getMessage());
        }
    }

    private static boolean isDot(String name) {
        return name.equals(".") || name.equals("..");
    }

    /** The directory inode, checked to be one and still linked. */
    Inode directory(long ino) throws IOException {
        Inode in = inodes.getLive(ino);
        if (!in.isDirectory()) {
            throw new FsException(Errno.ENOTDIR, "inode " + ino + " is not a directory");
        }
        return in;
    }

    long lookup(long dirIno, String name) throws IOException {
        byte[] nb = nameBytes(name);
        try (LockTable.Held l = locks.read(dirIno)) {
            Inode dir = directory(dirIno);
            return existing(dirIno, dir, nb, name).ino();
        }
    }

    // ---- creating names ----

    long create(long parent, String name, int mode, int uid, int gid) throws IOException {
        return makeNode(parent, name, Inode.S_IFREG | (mode & 07777), uid, gid, null, 0);
    }

    long mkdir(long parent, String name, int mode, int uid, int gid) throws IOException {
        return makeNode(parent, name, Inode.S_IFDIR | (mode & 07777), uid, gid, null, 0);
    }

    /**
     * mknod(2): a FIFO, a socket, a character or block device numbered {@code rdev} (Linux's new encoding, stored as
     * ext3 stores it: {@link DeviceNumber}), or a regular file (type 0 too, as vfs_mknod takes it). A directory is
     * EPERM and any other type EINVAL, as in the kernel.
     */
    long mknod(long parent, String name, int mode, int rdev, int uid, int gid) throws IOException {
        int type = mode & Inode.S_IFMT;
        switch (type) {
            case 0, Inode.S_IFREG -> {
                return create(parent, name, mode, uid, gid);
            }
            case Inode.S_IFCHR, Inode.S_IFBLK, Inode.S_IFIFO, Inode.S_IFSOCK -> {
                boolean device = type == Inode.S_IFCHR || type == Inode.S_IFBLK;
                return makeNode(parent, name, type | (mode & 07777), uid, gid, null, device ? rdev : 0);
            }
            case Inode.S_IFDIR -> throw new FsException(Errno.EPERM, "mknod of a directory (use mkdir)");
            default -> throw new FsException(Errno.EINVAL, String.format("mknod of file type 0%o", type));
        }
    }

    long symlink(long parent, String name, String target, int uid, int gid) throws IOException {
        byte[] t = bytes(target);
        if (t.length == 0) {
            throw new FsException(Errno.ENOENT, "empty symlink target");
        }
        if (t.length >= Math.min(vol.geo.blockSize(), 4096)) {
            throw new FsException(Errno.ENAMETOOLONG, "symlink target of " + t.length + " bytes");
        }
        return makeNode(parent, name, Inode.S_IFLNK | 0777, uid, gid, t, 0);
    }

    /** Allocates and initialises an inode and links it into {@code parent}; undone completely on failure. */
    private long makeNode(long parent, String name, int mode, int uid, int gid, byte[] linkTarget, int rdev)
            throws IOException {
        vol.checkWritable();
        byte[] nb = nameBytes(name);
        boolean isDir = (mode & Inode.S_IFMT) == Inode.S_IFDIR;
        renameLock.readLock().lock();
        try (LockTable.Held l = locks.write(parent)) {
            Inode dir = linkedDirectory(parent);
            if (isDot(name) || dirs.find(parent, dir, nb) != null) {
                throw new FsException(Errno.EEXIST, "'" + name + "' exists in directory " + parent);
            }
            if (isDir && dir.linksCount() >= LINK_MAX) {
                throw new FsException(Errno.EMLINK, "directory " + parent + " has " + LINK_MAX + " links");
            }
            long ino = ialloc.allocate(parent, isDir);
            Inode in = Inode.blank(vol.geo.inodeSize());
            long t = now();
            in.setMode(mode);
            in.setUid(uid);
            in.setGid(gid);
            in.setAtimeNanos(t);
            in.setCtimeNanos(t);
            in.setMtimeNanos(t);
            in.setCrtimeNanos(t);
            in.setGeneration(ThreadLocalRandom.current().nextInt() & 0xFFFF_FFFFL);
            in.setLinksCount(isDir ? 2 : 1);
            try {
                if (isDir) {
                    long blk = balloc.allocate(vol.geo.groupFirstBlock(vol.geo.groupOfInode(ino)));
                    dirs.initFirstBlock(blk, ino, parent);
                    in.setBlock(0, blk);
                    in.setSize(vol.geo.blockSize());
                    in.setBlocks512(vol.geo.blockSize() / 512);
                } else if (linkTarget != null) {
                    writeSymlinkTarget(ino, in, linkTarget);
                } else if ((mode & Inode.S_IFMT) == Inode.S_IFCHR || (mode & Inode.S_IFMT) == Inode.S_IFBLK) {
                    DeviceNumber.store(in, rdev);
                }
                inodes.put(ino, in);
                dirs.add(parent, dir, nb, ino, DirEntryType.ofMode(mode), directorySource(parent, dir));
            } catch (IOException | RuntimeException e) {
                data.freeAllBlocks(ino, in);
                deleteInode(ino, in);
                throw e;
            }
            if (isDir) {
                dir.setLinksCount(dir.linksCount() + 1);
            }
            touch(dir, t);
            inodes.put(parent, dir);
            return ino;
        } finally {
            renameLock.readLock().unlock();
        }
    }

    private void writeSymlinkTarget(long ino, Inode in, byte[] target) throws IOException {
        in.setSize(target.length);
        if (target.length < 60) {
            in.setBlockArea(target);
            return;
        }
        long blk = balloc.allocate(vol.geo.groupFirstBlock(vol.geo.groupOfInode(ino)));
        vol.meta.create(blk, b -> {
            System.arraycopy(target, 0, b, 0, target.length);
            return null;
        });
        in.setBlock(0, blk);
        in.setBlocks512(vol.geo.blockSize() / 512);
    }

    String readlink(long ino) throws IOException {
        try (LockTable.Held l = locks.read(ino)) {
            Inode in = inodes.getLive(ino);
            if (!in.isSymlink()) {
                throw new FsException(Errno.EINVAL, "inode " + ino + " is not a symlink");
            }
            long size = in.size();
            if (size <= 0 || size >= vol.geo.blockSize()) {
                throw new FsException(Errno.EUCLEAN, "symlink " + ino + ": bad size " + size);
            }
            if (in.isFastSymlink()) {
                return FileNames.decode(in.blockArea(), 0, (int) size);
            }
            long blk = map.map(ino, in, 0);
            if (blk == 0) {
                throw new FsException(Errno.EUCLEAN, "symlink " + ino + ": no target block");
            }
            return vol.meta.read(blk, b -> FileNames.decode(b, 0, (int) size));
        }
    }

    void link(long ino, long parent, String name) throws IOException {
        vol.checkWritable();
        byte[] nb = nameBytes(name);
        renameLock.readLock().lock();
        try (LockTable.Held l = locks.write(parent); LockTable.Held c = locks.write(ino)) {
            Inode dir = linkedDirectory(parent);
            Inode in = inodes.getLive(ino);
            if (in.isDirectory()) {
                throw new FsException(Errno.EPERM, "hard link to directory " + ino);
            }
            if (in.linksCount() == 0) {
                throw new FsException(Errno.ENOENT, "inode " + ino + " was deleted");
            }
            if (in.linksCount() >= LINK_MAX) {
                throw new FsException(Errno.EMLINK, "inode " + ino + " has " + LINK_MAX + " links");
            }
            if (isDot(name) || dirs.find(parent, dir, nb) != null) {
                throw new FsException(Errno.EEXIST, "'" + name + "' exists in directory " + parent);
            }
            dirs.add(parent, dir, nb, ino, DirEntryType.ofMode(in.mode()), directorySource(parent, dir));
            long t = now();
            in.setLinksCount(in.linksCount() + 1);
            in.setCtimeNanos(t);
            inodes.put(ino, in);
            touch(dir, t);
            inodes.put(parent, dir);
        } finally {
            renameLock.readLock().unlock();
        }
    }

    // ---- removing names ----

    void unlink(long parent, String name) throws IOException {
        remove(parent, name, false);
    }

    void rmdir(long parent, String name) throws IOException {
        remove(parent, name, true);
    }

    private void remove(long parent, String name, boolean wantDir) throws IOException {
        vol.checkWritable();
        byte[] nb = nameBytes(name);
        if (wantDir && name.equals(".")) {
            throw new FsException(Errno.EINVAL, "rmdir of '.'");
        }
        if (wantDir && name.equals("..")) {
            throw new FsException(Errno.ENOTEMPTY, "rmdir of '..'");
        }
        renameLock.readLock().lock();
        try (LockTable.Held l = locks.write(parent)) {
            Inode dir = directory(parent);
            DirectoryIndex.Location loc = existing(parent, dir, nb, name);
            long ino = loc.ino();
            try (LockTable.Held c = locks.write(ino)) {
                Inode in = inodes.getLive(ino);
                if (wantDir && !in.isDirectory()) {
                    throw new FsException(Errno.ENOTDIR, "'" + name + "' is not a directory");
                }
                if (!wantDir && in.isDirectory()) {
                    throw new FsException(Errno.EISDIR, "'" + name + "' is a directory");
                }
                if (wantDir && !dirs.isEmpty(ino, in)) {
                    throw new FsException(Errno.ENOTEMPTY, "directory '" + name + "' is not empty");
                }
                dirs.remove(parent, dir, nb, loc);
                long t = now();
                dropLink(ino, in, t);
                if (wantDir) {
                    dir.setLinksCount(dir.linksCount() - 1);
                }
                touch(dir, t);
                inodes.put(parent, dir);
            }
        } finally {
            renameLock.readLock().unlock();
        }
    }

    /** One name fewer for {@code in} (a directory loses both its name and its '.'); deleted at zero unless open. */
    private void dropLink(long ino, Inode in, long t) throws IOException {
        int links = in.isDirectory() ? 0 : Math.max(0, in.linksCount() - 1);
        in.setLinksCount(links);
        in.setCtimeNanos(t);
        if (links == 0 && !isOpen.test(ino)) {
            data.freeAllBlocks(ino, in);
            deleteInode(ino, in);
        } else {
            if (links == 0) {
                inodes.orphans().add(ino); // still open: freed at its last release, or after a crash at mount
            }
            inodes.put(ino, in);
        }
    }

    /** Frees an inode whose blocks are already freed: clears it (dtime set, as e2fsck expects) and its bit. */
    void deleteInode(long ino, Inode in) throws IOException {
        inodes.orphans().remove(ino, inodes);
        boolean wasDir = in.isDirectory();
        in.clearForReuse();
        in.setDtime(now() / 1_000_000_000L);
        inodes.put(ino, in);
        ialloc.free(ino, wasDir);
        if (wasDir) {
            dirs.forget(ino);
        }
    }

    // ---- rename ----

    void rename(long srcParent, String srcName, long dstParent, String dstName) throws IOException {
        vol.checkWritable();
        byte[] sn = nameBytes(srcName);
        byte[] dn = nameBytes(dstName);
        if (isDot(srcName) || isDot(dstName)) {
            throw new FsException(Errno.EINVAL, "cannot rename '.' or '..'");
        }
        renameLock.writeLock().lock();
        try (LockTable.Held a = locks.write(srcParent); LockTable.Held b = locks.write(dstParent)) {
            Inode sdir = directory(srcParent);
            Inode ddir = srcParent == dstParent ? sdir : linkedDirectory(dstParent);
            long ino = existing(srcParent, sdir, sn, srcName).ino();
            try (LockTable.Held c = locks.write(ino)) {
                Inode in = inodes.getLive(ino);
                DirectoryIndex.Location dloc = dirs.find(dstParent, ddir, dn);
                if (dloc != null && dloc.ino() == ino) {
                    return; // rename(2): same file, nothing to do
                }
                if (in.isDirectory() && isAncestorOrSelf(ino, dstParent)) {
                    throw new FsException(Errno.EINVAL, "cannot move directory " + ino + " into its own subtree");
                }
                long t = now();
                if (dloc != null) {
                    replaceTarget(dstParent, ddir, dn, dloc, ino, in, t, srcParent != dstParent);
                } else {
                    if (in.isDirectory() && srcParent != dstParent && ddir.linksCount() >= LINK_MAX) {
                        throw new FsException(Errno.EMLINK, "directory " + dstParent + " has " + LINK_MAX + " links");
                    }
                    dirs.add(dstParent, ddir, dn, ino, DirEntryType.ofMode(in.mode()),
                            directorySource(dstParent, ddir));
                    if (in.isDirectory() && srcParent != dstParent) {
                        ddir.setLinksCount(ddir.linksCount() + 1);
                    }
                }
                // the source entry: looked up again, since adding to the same directory may have split its block
                DirectoryIndex.Location again = dirs.find(srcParent, sdir, sn);
                dirs.remove(srcParent, sdir, sn, again);
                if (in.isDirectory() && srcParent != dstParent) {
                    DirectoryIndex.Location dotdot = dirs.find(ino, in, new byte[] {'.', '.'});
                    if (dotdot == null) {
                        throw new FsException(Errno.EUCLEAN, "directory " + ino + " has no '..' entry");
                    }
                    dirs.retarget(ino, in, new byte[] {'.', '.'}, dotdot, dstParent, DirEntryType.DIR);
                    sdir.setLinksCount(sdir.linksCount() - 1);
                }
                in.setCtimeNanos(t);
                inodes.put(ino, in);
                touch(sdir, t);
                inodes.put(srcParent, sdir);
                if (dstParent != srcParent) {
                    touch(ddir, t);
                    inodes.put(dstParent, ddir);
                }
            }
        } finally {
            renameLock.writeLock().unlock();
        }
    }

    /**
     * renameat2(RENAME_EXCHANGE): the two names swap inodes atomically; both must exist. Exchanged directories in
     * different parents get their '..' pointed at the new parent, and each parent's link count follows the
     * directories it now holds (ext4_cross_rename). A directory may not go below itself (EINVAL).
     */
    void exchange(long aParent, String aName, long bParent, String bName) throws IOException {
        vol.checkWritable();
        byte[] an = nameBytes(aName);
        byte[] bn = nameBytes(bName);
        if (isDot(aName) || isDot(bName)) {
            throw new FsException(Errno.EINVAL, "cannot exchange '.' or '..'");
        }
        renameLock.writeLock().lock();
        try (LockTable.Held x = locks.write(aParent); LockTable.Held y = locks.write(bParent)) {
            Inode adir = directory(aParent);
            Inode bdir = aParent == bParent ? adir : directory(bParent);
            DirectoryIndex.Location aloc = existing(aParent, adir, an, aName);
            DirectoryIndex.Location bloc = existing(bParent, bdir, bn, bName);
            long a = aloc.ino();
            long b = bloc.ino();
            if (a == b) {
                return; // two names of one inode: nothing changes, as vfs_rename answers
            }
            try (LockTable.Held la = locks.write(a); LockTable.Held lb = locks.write(b)) {
                Inode ain = inodes.getLive(a);
                Inode bin = inodes.getLive(b);
                boolean cross = aParent != bParent;
                if (cross && (ain.isDirectory() && isAncestorOrSelf(a, bParent)
                        || bin.isDirectory() && isAncestorOrSelf(b, aParent))) {
                    throw new FsException(Errno.EINVAL, "cannot move a directory into its own subtree");
                }
                // directories moving from aParent to bParent minus the other way: bParent's '..' count change
                int toB = cross ? (ain.isDirectory() ? 1 : 0) - (bin.isDirectory() ? 1 : 0) : 0;
                if (toB > 0 && bdir.linksCount() >= LINK_MAX || toB < 0 && adir.linksCount() >= LINK_MAX) {
                    throw new FsException(Errno.EMLINK, "directory has " + LINK_MAX + " links");
                }
                dirs.retarget(aParent, adir, an, aloc, b, DirEntryType.ofMode(bin.mode()));
                dirs.retarget(bParent, bdir, bn, bloc, a, DirEntryType.ofMode(ain.mode()));
                if (cross) {
                    pointDotDot(a, ain, bParent);
                    pointDotDot(b, bin, aParent);
                    adir.setLinksCount(adir.linksCount() - toB);
                    bdir.setLinksCount(bdir.linksCount() + toB);
                }
                long t = now();
                ain.setCtimeNanos(t);
                bin.setCtimeNanos(t);
                inodes.put(a, ain);
                inodes.put(b, bin);
                touch(adir, t);
                inodes.put(aParent, adir);
                if (cross) {
                    touch(bdir, t);
                    inodes.put(bParent, bdir);
                }
            }
        } finally {
            renameLock.writeLock().unlock();
        }
    }

    /** A directory's '..' now names {@code parent}; nothing for other files. */
    private void pointDotDot(long ino, Inode in, long parent) throws IOException {
        if (!in.isDirectory()) {
            return;
        }
        byte[] dotdot = {'.', '.'};
        DirectoryIndex.Location loc = dirs.find(ino, in, dotdot);
        if (loc == null) {
            throw new FsException(Errno.EUCLEAN, "directory " + ino + " has no '..' entry");
        }
        dirs.retarget(ino, in, dotdot, loc, parent, DirEntryType.DIR);
    }

    /** Points the existing destination name at the moved inode and drops the replaced one. */
    private void replaceTarget(long dstParent, Inode ddir, byte[] dn, DirectoryIndex.Location dloc, long ino,
                               Inode in, long t, boolean crossDirectory) throws IOException {
        long victim = dloc.ino();
        try (LockTable.Held v = locks.write(victim)) {
            Inode vin = inodes.getLive(victim);
            if (in.isDirectory() && !vin.isDirectory()) {
                throw new FsException(Errno.ENOTDIR, "rename of a directory over non-directory " + victim);
            }
            if (!in.isDirectory() && vin.isDirectory()) {
                throw new FsException(Errno.EISDIR, "rename over directory " + victim);
            }
            if (vin.isDirectory() && !dirs.isEmpty(victim, vin)) {
                throw new FsException(Errno.ENOTEMPTY, "directory " + victim + " is not empty");
            }
            dirs.retarget(dstParent, ddir, dn, dloc, ino, DirEntryType.ofMode(in.mode()));
            if (vin.isDirectory()) {
                ddir.setLinksCount(ddir.linksCount() - 1); // the victim's '..'
            }
            dropLink(victim, vin, t);
        }
        if (in.isDirectory() && crossDirectory) {
            ddir.setLinksCount(ddir.linksCount() + 1); // the moved directory's '..' now counts on dstParent
        }
    }

    /** True when {@code dir} is {@code ancestor} or below it (walks '..' up to the root, bounded). */
    private boolean isAncestorOrSelf(long ancestor, long dir) throws IOException {
        long cur = dir;
        byte[] dotdot = {'.', '.'};
        for (long steps = 0; steps <= vol.geo.inodesCount(); steps++) {
            if (cur == ancestor) {
                return true;
            }
            if (cur == FileSystem.ROOT_INO) {
                return false;
            }
            Inode in = directory(cur);
            DirectoryIndex.Location up = dirs.find(cur, in, dotdot);
            if (up == null) {
                throw new FsException(Errno.EUCLEAN, "directory " + cur + " has no '..' entry");
            }
            cur = up.ino();
        }
        throw new FsException(Errno.EUCLEAN, "'..' chain from directory " + dir + " does not reach the root");
    }

    // ---- helpers ----

    /** The entry {@code name} of directory {@code ino}; ENOENT if there is none. */
    private DirectoryIndex.Location existing(long ino, Inode dir, byte[] nb, String name) throws IOException {
        DirectoryIndex.Location loc = dirs.find(ino, dir, nb);
        if (loc == null) {
            throw new FsException(Errno.ENOENT, "'" + name + "' not found in directory " + ino);
        }
        return loc;
    }

    /** A directory that can still get entries (not removed while someone held its inode number). */
    private Inode linkedDirectory(long ino) throws IOException {
        Inode dir = directory(ino);
        if (dir.linksCount() == 0) {
            throw new FsException(Errno.ENOENT, "directory " + ino + " was removed");
        }
        return dir;
    }

    private static void touch(Inode dir, long t) {
        dir.setMtimeNanos(t);
        dir.setCtimeNanos(t);
    }

    /** New directory blocks go right after the directory's last block when possible. */
    private BlockMap.BlockSource directorySource(long ino, Inode dir) {
        return new BlockMap.BlockSource() {
            private long goal() throws IOException {
                long n = dir.size() / vol.geo.blockSize();
                long last = n > 0 ? map.map(ino, dir, n - 1) : 0;
                return last != 0 ? last + 1 : vol.geo.groupFirstBlock(vol.geo.groupOfInode(ino));
            }

            @Override
            public long dataBlock() throws IOException {
                return balloc.allocate(goal());
            }

            @Override
            public long indirectBlock() throws IOException {
                return balloc.allocate(goal());
            }
        };
    }
}
