package io.ext3ns.sda;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** Size of a block device: FileChannel.size() is 0 for /dev nodes, but seeking to the end reports the real size. */
final class BlockDeviceSize {
    private BlockDeviceSize() {
    }

    static long of(Path path, FileChannel channel) throws IOException {
        long size = channel.size();
        if (size > 0) {
            return size;
        }
        try (var raf = new java.io.RandomAccessFile(path.toFile(), "r")) {
            return raf.length();
        }
    }
}
