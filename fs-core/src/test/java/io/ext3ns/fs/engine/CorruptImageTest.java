package io.ext3ns.fs.engine;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import io.ext3ns.fs.api.Attr;
import io.ext3ns.fs.api.DirEntry;
import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FsException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Corrupt metadata gives an error, never a hang, a crash or an internal error: random bytes of a populated image's
 * inode table, directory and indirect blocks are overwritten, and the whole tree is walked and read through the
 * engine. Every failure must be an {@link FsException} from validation (EUCLEAN/EIO with a message), not a runtime
 * exception that slipped through ("internal error").
 */
class CorruptImageTest {
    private static final AtomicInteger DETECTED = new AtomicInteger();

    @TempDir
    Path tmp;

    @Test
    void walkingACorruptedImageOnlyEverFailsWithFsErrors() throws Exception {
        Path tree = Files.createDirectories(tmp.resolve("tree/a/b"));
        Random r = new Random(9);
        for (int i = 0; i < 40; i++) {
            byte[] b = new byte[r.nextInt(200_000)];
            r.nextBytes(b);
            Files.write(tmp.resolve("tree").resolve(i % 3 == 0 ? "a/f" + i : i % 3 == 1 ? "a/b/f" + i : "f" + i), b);
        }
        Files.createSymbolicLink(tree.resolve("l"), Path.of("x".repeat(100)));
        Path clean = Images.mke2fs(tmp.resolve("clean.img"), 1024, 8 << 20, Images.PLAIN_FEATURES,
                tmp.resolve("tree"));
        // the inode table, directory and indirect blocks live in the first MiB; corrupt only bytes in use there
        byte[] head = new byte[1 << 20];
        try (RandomAccessFile f = new RandomAccessFile(clean.toFile(), "r")) {
            f.readFully(head);
        }
        List<Integer> used = new ArrayList<>();
        for (int i = 4096; i < head.length; i++) {
            if (head[i] != 0) {
                used.add(i);
            }
        }
        List<String> internal = new ArrayList<>();
        for (int round = 0; round < 40; round++) {
            Path img = Files.copy(clean, tmp.resolve("bad.img"), StandardCopyOption.REPLACE_EXISTING);
            try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
                for (int k = 0; k < 16; k++) {
                    f.seek(used.get(r.nextInt(used.size())));
                    f.write(r.nextInt(256));
                }
            }
            int seedRound = round;
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                try (Ext3FileSystem fs = Images.open(img, true)) {
                    walk(fs, 2, 0, internal, seedRound);
                } catch (FsException e) {
                    noteInternal(e, internal, seedRound);
                }
            }, "round " + round + " hung");
        }
        if (DETECTED.get() < 10) {
            fail("only " + DETECTED.get() + " corruptions were noticed: the test did not corrupt what it reads");
        }
        if (!internal.isEmpty()) {
            fail(internal.size() + " operations failed without validation:\n" + String.join("\n", internal));
        }
    }

    private static void walk(Ext3FileSystem fs, long dir, int depth, List<String> internal, int round) {
        if (depth > 8) {
            return;
        }
        List<DirEntry> entries;
        try {
            entries = fs.readdir(dir);
        } catch (FsException e) {
            noteInternal(e, internal, round);
            return;
        }
        for (DirEntry d : entries) {
            if (d.name().equals(".") || d.name().equals("..")) {
                continue;
            }
            try {
                long ino = fs.lookup(dir, d.name());
                Attr a = fs.getattr(ino);
                if (a.isDirectory()) {
                    walk(fs, ino, depth + 1, internal, round);
                } else if (a.isSymlink()) {
                    fs.readlink(ino);
                } else if (a.isRegular()) {
                    FileHandle h = fs.open(ino, false);
                    try {
                        ByteBuffer buf = ByteBuffer.allocate(64 << 10);
                        long end = Math.min(a.size(), 4L << 20);
                        for (long off = 0; off < end; off += buf.capacity()) {
                            fs.read(h, off, buf.clear());
                        }
                    } finally {
                        fs.release(h);
                    }
                }
            } catch (FsException e) {
                noteInternal(e, internal, round);
            }
        }
    }

    private static void noteInternal(FsException e, List<String> internal, int round) {
        DETECTED.incrementAndGet();
        if (e.getMessage().contains("internal error")) {
            internal.add("round " + round + ": " + e.getMessage());
        }
    }
}
