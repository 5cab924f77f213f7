package io.ext3ns.fs.engine;

import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.disk.ExtAcl;
import io.ext3ns.fs.disk.ExtendedAttributes;
import io.ext3ns.fs.disk.Features;
import io.ext3ns.fs.disk.Inode;
import io.ext3ns.fs.disk.XattrEntry;
import io.ext3ns.fs.disk.XattrName;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Extended attributes of one inode (Linux fs/ext4/xattr.c): in the inode after i_extra_isize when they fit there,
 * else in its attribute block. A set that no longer fits in the inode moves that attribute to the block; one that
 * fits nowhere is ENOSPC and changes nothing. A block shared with other inodes (h_refcount &gt; 1) is never changed
 * in place: the inode gets its own copy. The POSIX ACLs are converted between ext3's compact form on disk and the
 * VFS's xattr form here. Callers hold the inode's write lock (read lock for get and list) and store the inode.
 */
final class XattrStore {
    /** The VFS's XATTR_SIZE_MAX: a larger value is E2BIG before any file system sees it. */
    static final int VALUE_MAX = 1 << 16;

    private final Volume vol;
    private final BlockAllocator balloc;

    XattrStore(Volume vol, BlockAllocator balloc) {
        this.vol = vol;
        this.balloc = balloc;
    }

    byte[] get(long ino, Inode in, String name) throws IOException {
        XattrName n = XattrName.parse(name);
        XattrEntry e = find(inInode(ino, in), n);
        if (e == null) {
            e = find(inBlock(ino, in), n);
        }
        if (e == null) {
            throw new FsException(Errno.ENODATA, "inode " + ino + " has no attribute " + name);
        }
        return n.isAcl() ? ExtAcl.toXattr(e.value(), "inode " + ino + ": " + name) : e.value();
    }

    /** Names in the kernel's order: those in the inode, then those in the block. */
    List<String> list(long ino, Inode in) throws IOException {
        List<String> names = new ArrayList<>();
        for (List<XattrEntry> where : List.of(inInode(ino, in), inBlock(ino, in))) {
            for (XattrEntry e : where) {
                String full = XattrName.fullName(e);
                if (full != null) {
                    names.add(full);
                }
            }
        }
        return names;
    }

    /** Sets ({@code value} non-null) or removes an attribute, honouring XATTR_CREATE and XATTR_REPLACE. */
    void set(long ino, Inode in, String name, byte[] value, int flags) throws IOException {
        vol.checkWritable();
        XattrName n = XattrName.parse(name);
        if ((flags & ~(FileSystem.XATTR_CREATE | FileSystem.XATTR_REPLACE)) != 0) {
            throw new FsException(Errno.EINVAL, "setxattr flags " + flags);
        }
        if (value != null && value.length > VALUE_MAX) {
            throw new FsException(Errno.E2BIG, "attribute value of " + value.length + " bytes (max 65536)");
        }
        byte[] stored = value != null && n.isAcl() ? ExtAcl.fromXattr(value) : value;
        List<XattrEntry> inode = new ArrayList<>(inInode(ino, in));
        List<XattrEntry> block = new ArrayList<>(inBlock(ino, in));
        int inInodeAt = indexOf(inode, n);
        boolean exists = inInodeAt >= 0 || indexOf(block, n) >= 0;
        if (exists && (flags & FileSystem.XATTR_CREATE) != 0) {
            throw new FsException(Errno.EEXIST, "inode " + ino + " already has attribute " + name);
        }
        if (!exists && (value == null || (flags & FileSystem.XATTR_REPLACE) != 0)) {
            throw new FsException(Errno.ENODATA, "inode " + ino + " has no attribute " + name);
        }
        boolean blockChanges = block.removeIf(e -> e.sameName(n.index(), n.suffix()));
        if (inInodeAt >= 0) {
            inode.remove(inInodeAt);
        }
        boolean inodeChanges = inInodeAt >= 0;
        if (stored != null) {
            XattrEntry entry = new XattrEntry(n.index(), n.suffix(), stored);
            List<XattrEntry> tryInode = new ArrayList<>(inode);
            tryInode.add(inInodeAt >= 0 ? inInodeAt : tryInode.size(), entry); // a replaced value keeps its place
            if (ExtendedAttributes.fits(tryInode, in.inInodeXattrCapacity())) {
                inode = tryInode;
                inodeChanges = true;
            } else {
                block.add(entry);
                if (!ExtendedAttributes.fitsBlock(block, vol.geo.blockSize())) {
                    throw new FsException(Errno.ENOSPC, "attribute " + name + " (" + stored.length
                            + " bytes) does not fit in inode " + ino + " or its attribute block");
                }
                blockChanges = true;
            }
        }
        if (blockChanges) {
            writeBlock(ino, in, block);
        }
        if (inodeChanges && !in.setInInodeXattrs(inode)) {
            throw new IllegalStateException("inode " + ino + ": attributes checked to fit did not");
        }
        markFeature();
    }

    /** Puts the block's new entries on disk: in place, in a new block (none, or shared), or frees it. */
    private void writeBlock(long ino, Inode in, List<XattrEntry> entries) throws IOException {
        long old = in.fileAcl();
        long sectors = vol.geo.blockSize() / 512;
        if (entries.isEmpty()) {
            if (old != 0) {
                ExtendedAttributeBlock.release(vol, balloc, ino, old);
                in.setFileAcl(0);
                in.setBlocks512(Math.max(0, in.blocks512() - sectors));
            }
            return;
        }
        byte[] encoded = ExtendedAttributes.encodeBlock(entries, vol.geo.blockSize(), 1);
        if (old != 0 && ExtendedAttributeBlock.refcount(vol, old) == 1) {
            ExtendedAttributeBlock.rewrite(vol, old, encoded);
            return;
        }
        long fresh = ExtendedAttributeBlock.create(vol, balloc, ino, encoded);
        if (old != 0) {
            ExtendedAttributeBlock.release(vol, balloc, ino, old); // shared: only our reference goes
        } else {
            in.setBlocks512(in.blocks512() + sectors);
        }
        in.setFileAcl(fresh);
    }

    /** ext4_xattr_update_super_block: the first attribute written turns on ext_attr. */
    private void markFeature() {
        synchronized (vol.sb) {
            if (!vol.sb.hasCompat(Features.COMPAT_EXT_ATTR)) {
                vol.sb.setFeatureCompat(vol.sb.featureCompat() | Features.COMPAT_EXT_ATTR);
            }
        }
    }

    private static List<XattrEntry> inInode(long ino, Inode in) throws IOException {
        return in.inInodeXattrs(ino);
    }

    private List<XattrEntry> inBlock(long ino, Inode in) throws IOException {
        long block = in.fileAcl();
        return block == 0 ? List.of() : ExtendedAttributeBlock.read(vol, ino, block);
    }

    private static XattrEntry find(List<XattrEntry> entries, XattrName n) {
        int i = indexOf(entries, n);
        return i < 0 ? null : entries.get(i);
    }

    private static int indexOf(List<XattrEntry> entries, XattrName n) {
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).sameName(n.index(), n.suffix())) {
                return i;
            }
        }
        return -1;
    }
}
