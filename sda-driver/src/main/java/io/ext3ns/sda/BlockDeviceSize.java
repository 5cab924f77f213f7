package io.ext3ns.sda;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Size of a member. For block devices JDK 17 on Linux asks the kernel (BLKGETSIZE64) in FileChannel.size(),
 * verified on /dev/loopN; where a JDK reports 0 instead, the kernel's sector count in sysfs is used.
 */
final class BlockDeviceSize {
    private static final int SYSFS_SECTOR = 512;

    private BlockDeviceSize() {
    }

    static long of(Path path, FileChannel channel) throws IOException {
        long size = channel.size();
        if (size > 0 || Files.isRegularFile(path)) {
            return size;
        }
        long fromSysfs = sysfsSize(path);
        return fromSysfs >= 0 ? fromSysfs : size;
    }

    /** {@code /sys/class/block/NAME/size} × 512 for a block device node, or -1 when there is no such entry. */
    static long sysfsSize(Path device) throws IOException {
        Path entry = Path.of("/sys/class/block", device.toRealPath().getFileName().toString(), "size");
        if (!Files.isReadable(entry)) {
            return -1;
        }
        String sectors = Files.readString(entry).trim();
        try {
            return Math.multiplyExact(Long.parseLong(sectors), SYSFS_SECTOR);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IOException(entry + ": unreadable sector count '" + sectors + "'");
        }
    }
}
