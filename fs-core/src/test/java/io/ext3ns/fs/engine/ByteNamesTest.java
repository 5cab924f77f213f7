package io.ext3ns.fs.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ext3ns.fs.api.DirEntry;
import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.util.FileNames;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Names are byte strings: names and symlink targets that are not UTF-8 are stored and listed byte for byte. */
class ByteNamesTest {
    private static final byte[] LATIN1 = {'c', 'a', 'f', (byte) 0xE9};
    private static final byte[] UTF8 = "café".getBytes(StandardCharsets.UTF_8);
    private static final byte[] STRAY = {(byte) 0xFF, (byte) 0xFE, '.', (byte) 0xC3, 'x', (byte) 0x80};

    @Test
    void namesThatAreNotUtf8AreKeptByteForByteAndNeverCollide() throws Exception {
        Path img = Images.mke2fs(tmp.resolve("n.img"), 4096, 32 << 20, Images.PLAIN_FEATURES, null);
        String latin1 = FileNames.decode(LATIN1);
        String utf8 = FileNames.decode(UTF8);
        String stray = FileNames.decode(STRAY);
        assertNotEquals(latin1, utf8);
        long dir;
        try (Ext3FileSystem fs = Images.open(img, false)) {
            long a = fs.create(FileSystem.ROOT_INO, latin1, 0644, 0, 0);
            long b = fs.create(FileSystem.ROOT_INO, utf8, 0644, 0, 0);
            assertNotEquals(a, b);
            dir = fs.mkdir(FileSystem.ROOT_INO, stray, 0755, 0, 0);
            fs.symlink(dir, latin1, stray + "/" + latin1, 0, 0);
            fs.rename(FileSystem.ROOT_INO, utf8, dir, stray);
            assertEquals(Errno.ENOENT, assertThrows(FsException.class,
                    () -> fs.lookup(FileSystem.ROOT_INO, utf8)).errno());
            assertEquals(a, fs.lookup(FileSystem.ROOT_INO, latin1));
            assertEquals(Errno.EINVAL, assertThrows(FsException.class,
                    () -> fs.create(FileSystem.ROOT_INO, "lone\uD800", 0644, 0, 0)).errno());
        }
        try (Ext3FileSystem fs = Images.open(img, true)) {
            assertEquals(new TreeSet<>(List.of(hex("lost+found".getBytes(StandardCharsets.US_ASCII)), hex(LATIN1),
                    hex(STRAY))),
                    names(fs, FileSystem.ROOT_INO));
            assertEquals(new TreeSet<>(List.of(hex(LATIN1), hex(STRAY))), names(fs, dir));
            long link = fs.lookup(dir, latin1);
            byte[] target = new byte[STRAY.length + 1 + LATIN1.length];
            System.arraycopy(STRAY, 0, target, 0, STRAY.length);
            target[STRAY.length] = '/';
            System.arraycopy(LATIN1, 0, target, STRAY.length + 1, LATIN1.length);
            assertArrayEquals(target, FileNames.encode(fs.readlink(link)));
        }
        Images.assertFsckClean(img);
        Images.assertOurFsckClean(img);
    }

    @TempDir
    Path tmp;

    /** The listing (but '.' and '..') as hex of each name's bytes. */
    private static TreeSet<String> names(FileSystem fs, long dir) throws FsException {
        TreeSet<String> out = new TreeSet<>();
        for (DirEntry e : fs.readdir(dir)) {
            if (!e.name().equals(".") && !e.name().equals("..")) {
                out.add(hex(FileNames.encode(e.name())));
            }
        }
        return out;
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(String.format("%02x", x & 0xFF));
        }
        return s.toString();
    }
}
