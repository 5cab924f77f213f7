package io.ext3ns.fs.journal;

import io.ext3ns.sda.FileMember;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An mke2fs-made ext3 image holding {@code /hello.txt} (100 'A's) and {@code /d/inner.txt}, plus the metadata edits
 * a test logs through the journal: rename hello.txt to howdy.txt in the root directory block, chmod it 0600 in its
 * inode, and replace its data block with one that starts with the JBD2 magic (so it must be escaped).
 */
final class ImageFixture {
    static final byte[] MAGIC_BYTES = {(byte) 0xC0, 0x3B, 0x39, (byte) 0x98};
    final Path img;
    final int blockSize;
    final long rootDirBlock;
    final long fileIno;
    final long inodeBlock;
    final int inodeOffset;
    final long fileDataBlock;

    private ImageFixture(Path img, int blockSize) throws IOException, InterruptedException {
        this.img = img;
        this.blockSize = blockSize;
        this.rootDirBlock = Ext3Tools.bmap(img, 2, 0);
        this.fileIno = Ext3Tools.inodeOf(img, "/hello.txt");
        long[] loc = Ext3Tools.inodeLocation(img, fileIno);
        this.inodeBlock = loc[0];
        this.inodeOffset = (int) loc[1];
        this.fileDataBlock = Ext3Tools.bmap(img, fileIno, 0);
    }

    /** Makes the image: 64 MiB at 4 KiB blocks, 256 MiB at 64 KiB; a 1024-block journal either way. */
    static ImageFixture create(Path dir, int blockSize) throws IOException, InterruptedException {
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.writeString(src.resolve("hello.txt"), "A".repeat(100));
        Files.createDirectories(src.resolve("d"));
        Files.writeString(src.resolve("d/inner.txt"), "inner");
        Path img = dir.resolve("fs-" + blockSize + ".img");
        Ext3Tools.mkfs(img, blockSize, blockSize == 4096 ? 64L << 20 : 256L << 20, src);
        return new ImageFixture(img, blockSize);
    }

    byte[] readBlock(Path image, long block) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "r")) {
            byte[] b = new byte[blockSize];
            f.seek(block * blockSize);
            f.readFully(b);
            return b;
        }
    }

    void writeBlock(Path image, long block, byte[] content) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.seek(block * blockSize);
            f.write(content);
        }
    }

    /** The root directory block with "hello.txt" renamed in place to {@code newName} (same length). */
    byte[] renamedDirBlock(String newName) throws IOException {
        byte[] dir = readBlock(img, rootDirBlock);
        int at = indexOf(dir, "hello.txt".getBytes(StandardCharsets.US_ASCII));
        if (at < 0 || newName.length() != 9) {
            throw new IllegalStateException("hello.txt entry not found or new name not 9 bytes");
        }
        System.arraycopy(newName.getBytes(StandardCharsets.US_ASCII), 0, dir, at, 9);
        return dir;
    }

    /** The inode table block with hello.txt's permission bits set to {@code perm}. */
    byte[] chmodInodeBlock(int perm) throws IOException {
        byte[] table = readBlock(img, inodeBlock);
        int mode = (table[inodeOffset] & 0xFF) | (table[inodeOffset + 1] & 0xFF) << 8;
        mode = (mode & ~07777) | perm;
        table[inodeOffset] = (byte) mode;
        table[inodeOffset + 1] = (byte) (mode >>> 8);
        return table;
    }

    /** A data block whose first four bytes are the JBD2 magic, then 'B's up to the file's 100 bytes. */
    byte[] magicDataBlock() {
        byte[] data = new byte[blockSize];
        System.arraycopy(MAGIC_BYTES, 0, data, 0, 4);
        Arrays.fill(data, 4, 100, (byte) 'B');
        return data;
    }

    /** The standard edit set as one transaction. */
    JournalTransaction renameChmodAndMagic() throws IOException {
        JournalTransaction tx = new JournalTransaction(blockSize);
        tx.write(rootDirBlock, renamedDirBlock("howdy.txt"));
        tx.write(inodeBlock, chmodInodeBlock(0600));
        tx.write(fileDataBlock, magicDataBlock());
        return tx;
    }

    /** Commits the given transactions and "crashes": the device is closed without checkpoint or journal close. */
    long[] commitWithoutCheckpoint(JournalTransaction... txs) throws IOException {
        long[] tids = new long[txs.length];
        try (FileMember dev = new FileMember(img, false)) {
            Journal j = Journal.open(dev, Long.MAX_VALUE);
            for (int i = 0; i < txs.length; i++) {
                tids[i] = j.commit(txs[i]);
            }
        }
        return tids;
    }

    /** Runs our recovery on {@code image}. */
    static RecoveryReport recover(Path image) throws IOException {
        try (FileMember dev = new FileMember(image, false)) {
            Journal j = Journal.open(dev);
            if (!j.needsRecovery()) {
                throw new IllegalStateException(image + ": journal does not need recovery");
            }
            return j.recover();
        }
    }

    Path copy(String name) throws IOException {
        return Files.copy(img, img.resolveSibling(name), StandardCopyOption.REPLACE_EXISTING);
    }

    /** Numbers of the blocks whose contents differ between two images of the same size. */
    List<Long> differingBlocks(Path a, Path b) throws IOException {
        List<Long> out = new ArrayList<>();
        try (RandomAccessFile fa = new RandomAccessFile(a.toFile(), "r");
             RandomAccessFile fb = new RandomAccessFile(b.toFile(), "r")) {
            long blocks = fa.length() / blockSize;
            byte[] x = new byte[blockSize];
            byte[] y = new byte[blockSize];
            for (long i = 0; i < blocks; i++) {
                fa.readFully(x);
                fb.readFully(y);
                if (!Arrays.equals(x, y)) {
                    out.add(i);
                }
            }
        }
        return out;
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
