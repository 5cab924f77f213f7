package io.ext3ns.fs.check;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Copies a sparse test image keeping it sparse: all-zero 64 KiB chunks are not written (Files.copy writes them). */
final class SparseCopy {
    private static final int CHUNK = 64 << 10;

    private SparseCopy() {
    }

    static void copy(Path from, Path to) throws IOException {
        Files.deleteIfExists(to);
        try (FileChannel in = FileChannel.open(from);
             FileChannel out = FileChannel.open(to, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.allocate(CHUNK);
            long size = in.size();
            for (long at = 0; at < size; at += CHUNK) {
                buf.clear();
                while (buf.hasRemaining() && in.read(buf, at + buf.position()) > 0) {
                    // read the whole chunk
                }
                buf.flip();
                if (!allZero(buf)) {
                    out.write(buf, at);
                }
            }
            // the length, whatever the last chunk held
            out.write(ByteBuffer.allocate(0), size);
            if (out.size() < size) {
                out.write(ByteBuffer.allocate(1), size - 1);
            }
        }
    }

    static boolean allZero(ByteBuffer b) {
        for (int i = b.position(); i < b.limit(); i++) {
            if (b.get(i) != 0) {
                return false;
            }
        }
        return true;
    }
}
