package io.ext3ns.fs.disk;

/**
 * A character or block device's number as ext2/ext3 keep it in i_block (Linux fs/ext2/inode.c, ext2_set_inode and
 * ext2_read_inode): numbers with major and minor below 256 in the old 16-bit encoding in i_block[0] (i_block[1]
 * zero); any other in the new 32-bit encoding in i_block[1] (i_block[0] and i_block[2] zero). The number outside is
 * Linux's new encoding (new_encode_dev: minor's low byte, major, minor's high bits), which is what FUSE carries and
 * what glibc's makedev gives for majors below 4096.
 */
public final class DeviceNumber {
    private DeviceNumber() {
    }

    public static int major(int dev) {
        return (dev & 0xfff00) >>> 8;
    }

    public static int minor(int dev) {
        return (dev & 0xff) | ((dev >>> 12) & 0xfff00);
    }

    /** new_encode_dev(MKDEV(major, minor)); major below 4096, minor below 2^20. */
    public static int of(int major, int minor) {
        return (minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12);
    }

    /** Stores {@code dev} (new encoding) in the inode's i_block as ext3 does. */
    public static void store(Inode in, int dev) {
        int major = major(dev);
        int minor = minor(dev);
        if (major < 256 && minor < 256) {
            in.setBlock(0, (major << 8) | minor);
            in.setBlock(1, 0);
        } else {
            in.setBlock(0, 0);
            in.setBlock(1, dev & 0xFFFF_FFFFL);
            in.setBlock(2, 0);
        }
    }

    /** The device number (new encoding) in a device inode's i_block: old_decode_dev of i_block[0] if set. */
    public static int load(Inode in) {
        long old = in.block(0);
        if (old != 0) {
            return of((int) (old >>> 8) & 0xff, (int) old & 0xff);
        }
        return (int) in.block(1);
    }
}
