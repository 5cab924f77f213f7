package io.ext3ns.fs.journal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs e2fsprogs (mke2fs, e2fsck, debugfs) and mount for the journal tests: the external judges of ext3. */
final class Ext3Tools {
    record Result(int rc, String out) {
    }

    private Ext3Tools() {
    }

    static Result run(String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(Map.of("E2FSPROGS_FAKE_TIME", "1700000000", "LC_ALL", "C"));
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", cmd));
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static Result runOk(String... cmd) throws IOException, InterruptedException {
        Result r = run(cmd);
        if (r.rc() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed rc=" + r.rc() + ":\n" + r.out());
        }
        return r;
    }

    /** An ext3 image with EXT3NS's feature set and a 1024-block journal, populated from {@code src}. */
    static void mkfs(Path img, int blockSize, long sizeBytes, Path src) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("mke2fs", "-q", "-F", "-t", "ext3", "-b", String.valueOf(blockSize),
                "-I", "256", "-O", "^resize_inode,^dir_index,^ext_attr", "-J", "size=" + (blockSize / 1024),
                "-U", "6a1c0c5e-3f0b-4b8e-9d6e-0123456789ab", "-E", "root_owner=0:0,nodiscard"));
        if (src != null) {
            cmd.addAll(List.of("-d", src.toString()));
        }
        cmd.addAll(List.of(img.toString(), String.valueOf(sizeBytes / 1024) + "k"));
        runOk(cmd.toArray(String[]::new));
    }

    static String debugfs(Path img, String request) throws IOException, InterruptedException {
        return runOk("debugfs", "-R", request, img.toString()).out();
    }

    /** The FS block holding file block {@code n} of inode {@code ino}. */
    static long bmap(Path img, long ino, long n) throws IOException, InterruptedException {
        return Long.parseLong(lastLine(debugfs(img, "bmap <" + ino + "> " + n)).trim());
    }

    /** The inode number of {@code path}. */
    static long inodeOf(Path img, String path) throws IOException, InterruptedException {
        Matcher m = Pattern.compile("Inode: (\\d+)").matcher(debugfs(img, "stat " + path));
        if (!m.find()) {
            throw new IOException("no inode for " + path);
        }
        return Long.parseLong(m.group(1));
    }

    /** {block, byte offset} of inode {@code ino} in its inode table. */
    static long[] inodeLocation(Path img, long ino) throws IOException, InterruptedException {
        Matcher m = Pattern.compile("located at block (\\d+), offset 0x([0-9a-f]+)")
                .matcher(debugfs(img, "imap <" + ino + ">"));
        if (!m.find()) {
            throw new IOException("imap failed for inode " + ino);
        }
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2), 16)};
    }

    private static String lastLine(String s) {
        String[] lines = s.strip().split("\n");
        return lines[lines.length - 1];
    }
}
