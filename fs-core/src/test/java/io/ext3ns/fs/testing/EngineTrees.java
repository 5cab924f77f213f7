package io.ext3ns.fs.testing;

import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.engine.EngineOptions;
import io.ext3ns.fs.engine.Ext3FileSystem;
import io.ext3ns.sda.FileMember;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Fills an image through the engine, so checker tests at 128 KiB–2 MiB blocks (where no e2fsprogs tool works) have
 * real files to check: /small (one block), /big (direct blocks and an indirect block), /sub/note, /lnk (fast
 * symlink), /longlnk (slow symlink).
 */
public final class EngineTrees {
    /** Blocks of /big: past the 12 direct pointers, so an indirect block is needed. */
    public static final int BIG_BLOCKS = 14;

    private EngineTrees() {
    }

    public static void sampleTree(Path image) throws IOException {
        EngineOptions opts = EngineOptions.defaults().withCaches(8L << 20, 8L << 20);
        try (Ext3FileSystem fs = Ext3FileSystem.open(new FileMember(image, false), opts)) {
            int bs = fs.blockSize();
            long root = FileSystem.ROOT_INO;
            write(fs, fs.create(root, "small", 0644, 0, 0), 100);
            write(fs, fs.create(root, "big", 0644, 0, 0), (long) BIG_BLOCKS * bs - 10);
            long sub = fs.mkdir(root, "sub", 0755, 0, 0);
            write(fs, fs.create(sub, "note", 0644, 0, 0), 5);
            fs.symlink(root, "lnk", "small", 0, 0);
            fs.symlink(root, "longlnk", "x".repeat(100), 0, 0);
            fs.sync();
        }
    }

    private static void write(Ext3FileSystem fs, long ino, long bytes) throws IOException {
        FileHandle h = fs.open(ino, true);
        try {
            ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
            long done = 0;
            while (done < bytes) {
                int n = (int) Math.min(chunk.capacity(), bytes - done);
                chunk.clear().limit(n);
                for (int i = 0; i < n; i++) {
                    chunk.put(i, (byte) (done + i));
                }
                fs.write(h, done, chunk);
                done += n;
            }
        } finally {
            fs.release(h);
        }
    }
}
