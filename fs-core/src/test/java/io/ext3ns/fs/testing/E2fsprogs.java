package io.ext3ns.fs.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** e2fsprogs as the judge of ext3 compatibility in tests: mke2fs fixtures, debugfs edits, e2fsck verdicts. */
public final class E2fsprogs {
    private E2fsprogs() {
    }

    public static boolean installed() {
        return ExternalTool.available("e2fsck") && ExternalTool.available("mke2fs") && ExternalTool.available("debugfs");
    }

    /** e2fsck -fn: the verdict without changing anything. */
    public static ExternalTool.Result checkReadOnly(Path image) throws IOException, InterruptedException {
        return ExternalTool.run("e2fsck", "-fn", image.toString());
    }

    /** e2fsck -fy. */
    public static ExternalTool.Result checkAndFix(Path image) throws IOException, InterruptedException {
        return checkAndFixWithOptions(image, "-fy");
    }

    /** e2fsck with other options (e.g. -fyD to index directories). */
    public static ExternalTool.Result checkAndFixWithOptions(Path image, String options)
            throws IOException, InterruptedException {
        return ExternalTool.run("e2fsck", options, image.toString());
    }

    /** debugfs -w -R CMD: one write command; fails the caller when debugfs reports an error. */
    public static void debugfsWrite(Path image, String command) throws IOException, InterruptedException {
        ExternalTool.Result r = ExternalTool.run("debugfs", "-w", "-R", command, image.toString());
        if (r.exitCode() != 0 || r.output().contains(": ") && r.output().lines().skip(1).anyMatch(l -> l.contains("rror")
                || l.contains("not found") || l.contains("nvalid"))) {
            throw new IOException("debugfs " + command + " failed: " + r);
        }
    }

    /** debugfs -R CMD, read-only; returns its output. */
    public static String debugfs(Path image, String command) throws IOException, InterruptedException {
        return ExternalTool.run("debugfs", "-R", command, image.toString()).output();
    }

    /**
     * An ext3 image made by mke2fs with mke2fs's default ext3 features (resize_inode, dir_index, ext_attr, journal)
     * holding the tree under {@code source}; reproducible UUID, hash seed and time.
     */
    public static void mke2fsWithTree(Path image, int blockSize, long bytes, Path source)
            throws IOException, InterruptedException {
        Files.deleteIfExists(image);
        TestImages.sparseFile(image, bytes);
        List<String> cmd = new ArrayList<>(List.of("mke2fs", "-q", "-F", "-t", "ext3", "-b", Integer.toString(blockSize),
                "-U", TestImages.TEST_UUID.toString(), "-E", "hash_seed=" + TestImages.TEST_UUID + ",root_owner=0:0"));
        if (source != null) {
            cmd.add("-d");
            cmd.add(source.toString());
        }
        cmd.add(image.toString());
        ExternalTool.Result r = ExternalTool.run(cmd, 120);
        if (r.exitCode() != 0) {
            throw new IOException("mke2fs failed: " + r);
        }
    }

    /** A small tree with files of 0, 1 and several hundred blocks, a subdirectory, fast and slow symlinks. */
    public static Path sampleTree(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("sub/deeper"));
        Files.writeString(dir.resolve("hosts"), "127.0.0.1 localhost\n");
        Files.writeString(dir.resolve("empty"), "");
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 120_000; i++) {
            big.append(i).append('\n');
        }
        Files.writeString(dir.resolve("sub/big"), big);
        Files.writeString(dir.resolve("sub/deeper/note"), "note\n");
        Files.createSymbolicLink(dir.resolve("lnk"), Path.of("hosts"));
        Files.createSymbolicLink(dir.resolve("longlnk"), Path.of("x".repeat(90)));
        return dir;
    }
}
