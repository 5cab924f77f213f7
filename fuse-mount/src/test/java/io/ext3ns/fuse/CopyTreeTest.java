package io.ext3ns.fuse;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A tree copied in and back out with cp -a is unchanged, survives a remount, and leaves the image fsck-clean. */
class CopyTreeTest {
    /** Nested dirs, large, small, empty and sparse files, symlinks (one dangling), a hard link, modes and times. */
    static final String MAKE_TREE = """
            set -e
            mkdir -p src/a/b/c src/empty src/d
            head -c 25000000 /dev/urandom > src/a/big.bin
            head -c 3000001 /dev/urandom > src/a/b/mid.bin
            for i in $(seq 1 40); do echo "small file $i" > src/a/b/c/f$i.txt; done
            : > src/zero-length
            printf x > src/one-byte
            ln src/a/b/mid.bin src/d/mid-hardlink
            ln -s ../a/big.bin src/d/big-symlink
            ln -s /nonexistent/target src/dangling
            truncate -s 20M src/sparse && printf tail >> src/sparse
            chmod 600 src/a/b/c/f1.txt; chmod 755 src/a/b/c/f2.txt; chmod 444 src/one-byte
            chmod 1777 src/d; chmod 2750 src/empty
            touch -h -d '2001-02-03 04:05:06' src/a/b/c/f3.txt src/dangling
            """;

    /** Per entry: path, type, size (not for directories, whose size is the block size), mode, links, target, mtime. */
    static final String LISTING = "find . -printf '%p|%y|%m|%n|%T@|%s|%l\\n' | awk -F'|' '{ split($5, t, \".\");"
            + " print $1, $2, $3, $4, t[1], ($2 == \"d\") ? \"-\" : $6, $7 }' | sort";

    @TempDir
    Path tmp;

    /** 4 KiB blocks from mke2fs (e2fsck judges too), 1 MiB blocks from our formatter (the media default). */
    @ParameterizedTest
    @ValueSource(ints = {4096, 1 << 20})
    void copyInAndOutAndRemount(int blockSize) throws Exception {
        Path image = blockSize == 4096 ? TestImages.mke2fs(tmp.resolve("vol.img"), "256M", blockSize)
                : TestImages.ext3ns(tmp.resolve("vol.img"), 512L << 20, blockSize);
        Path mnt = tmp.resolve("mnt");
        Shell.bash(tmp, MAKE_TREE).check();
        String original = Shell.bash(tmp.resolve("src"), LISTING).check().out();

        MountProcess.withMount(image, mnt, "", mount -> {
            Shell.bash(tmp, "cp -a src " + mnt + "/").check();
            Shell.bash(tmp, "diff -r --no-dereference src " + mnt + "/src").check();
            assertEquals(original, Shell.bash(mnt.resolve("src"), LISTING).check().out());
            assertEquals(inode(mnt.resolve("src/a/b/mid.bin")), inode(mnt.resolve("src/d/mid-hardlink")),
                    "hard link kept");
            long sparseBytes = Long.parseLong(Shell.bash(mnt, "stat -c %b src/sparse").check().out().trim()) * 512;
            assertTrue(sparseBytes <= 2L * blockSize + (64 << 10), "the 20 MiB hole takes no blocks (du): "
                    + sparseBytes);

            Shell.bash(tmp, "cp -a " + mnt + "/src out").check();
            Shell.bash(tmp, "diff -r --no-dereference src out").check();
            assertEquals(original, Shell.bash(tmp.resolve("out"), LISTING).check().out());
            assertEquals(inode(tmp.resolve("out/a/b/mid.bin")), inode(tmp.resolve("out/d/mid-hardlink")),
                    "hard link seen coming out (st_ino)");
        });
        MountProcess.withMount(image, mnt, "ro", again -> {
            Shell.bash(tmp, "diff -r --no-dereference src " + mnt + "/src").check();
            assertEquals(original, Shell.bash(mnt.resolve("src"), LISTING).check().out());
        });
    }

    static String inode(Path p) throws Exception {
        return Shell.bash(null, "stat -c %i '" + p + "'").check().out().trim();
    }
}
