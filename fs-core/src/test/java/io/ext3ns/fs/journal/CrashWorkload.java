package io.ext3ns.fs.journal;

import io.ext3ns.fs.api.DirEntry;
import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.engine.EngineOptions;
import io.ext3ns.fs.engine.Ext3FileSystem;
import io.ext3ns.sda.FileMember;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * The process the crash test kills: mounts an image through the engine (journalled; replaying first if needed) and
 * runs a seeded create/write/rename/delete workload with fsyncs until it is killed. It appends to a report file,
 * one unbuffered write(2) per line (what write(2) returned survives SIGKILL in the page cache; a pipe's tail can be
 * lost when the JVM drains it at the reader's exit): {@code READY}; {@code SYNCED path sha256} once fsync of a file with that content has returned;
 * {@code TOUCH path} before any operation that may change what a path names. A synced path not touched afterwards
 * must have exactly that content after recovery.
 *
 * <p>Usage: {@code CrashWorkload IMAGE SEED REPORT [OPERATIONS]}: with OPERATIONS, stops after that many and unmounts
 * cleanly (to replay a failing seed without a kill).
 */
public final class CrashWorkload {
    private final FileSystem fs;
    private final Random rnd;
    private final String tag;
    private final FileOutputStream out;
    private final List<String> files = new ArrayList<>();
    private final List<String> dirs = new ArrayList<>(List.of(""));
    private int counter;

    private CrashWorkload(FileSystem fs, long seed, FileOutputStream out) {
        this.fs = fs;
        this.out = out;
        this.rnd = new Random(seed);
        this.tag = Long.toString(seed & 0xFFFFF, 36);
    }

    public static void main(String[] args) throws Exception {
        Path img = Path.of(args[0]);
        long seed = Long.parseLong(args[1]);
        long operations = args.length > 3 ? Long.parseLong(args[3]) : Long.MAX_VALUE;
        EngineOptions opts = EngineOptions.defaults().withCaches(8L << 20, 16L << 20);
        try (FileOutputStream report = new FileOutputStream(args[2], true);
             Ext3FileSystem fs = Ext3FileSystem.open(new FileMember(img, false), opts)) {
            CrashWorkload w = new CrashWorkload(fs, seed, report);
            w.scan("", FileSystem.ROOT_INO);
            w.report("READY");
            w.run(operations);
        }
    }

    private void scan(String prefix, long dirIno) throws FsException {
        for (DirEntry e : fs.readdir(dirIno)) {
            if (e.name().equals(".") || e.name().equals("..") || e.name().equals("lost+found")) {
                continue;
            }
            String path = prefix + "/" + e.name();
            if (e.fileType() == 2) {
                dirs.add(path);
                scan(path, e.ino());
            } else if (e.fileType() == 1) {
                files.add(path);
            }
        }
    }

    private void run(long operations) throws Exception {
        for (long done = 0; done < operations; done++) {
            int op = rnd.nextInt(100);
            try {
                if (files.size() > 120 || (op < 15 && !files.isEmpty())) {
                    delete();
                } else if (op < 30 && !files.isEmpty()) {
                    rename();
                } else if (op < 35 && dirs.size() < 8) {
                    mkdir();
                } else {
                    createAndWrite(op < 80);
                }
            } catch (FsException e) {
                if (e.errno() != io.ext3ns.fs.api.Errno.ENOSPC) {
                    throw e;
                }
                delete();
            }
        }
    }

    private void createAndWrite(boolean sync) throws Exception {
        String dir = dirs.get(rnd.nextInt(dirs.size()));
        String path = dir + "/f" + tag + "_" + counter++;
        // one file in four is past the 12 direct blocks, so deletes free indirect blocks too
        int maxBlocks = rnd.nextInt(4) == 0 ? 20 : 3;
        byte[] content = new byte[rnd.nextInt(maxBlocks * fs.blockSize() + 1)];
        rnd.nextBytes(content);
        long ino = fs.create(fs.resolve(dir.isEmpty() ? "/" : dir), name(path), 0644, 0, 0);
        files.add(path);
        FileHandle h = fs.open(ino, true);
        try {
            int off = 0;
            while (off < content.length) {
                int n = Math.min(content.length - off, 1 + rnd.nextInt(2 * fs.blockSize()));
                fs.write(h, off, ByteBuffer.wrap(content, off, n));
                off += n;
            }
            if (sync) {
                syncAndReport(h, path, content);
            }
        } finally {
            fs.release(h);
        }
    }

    private void rename() throws Exception {
        String from = files.remove(rnd.nextInt(files.size()));
        String dir = dirs.get(rnd.nextInt(dirs.size()));
        String to = dir + "/r" + tag + "_" + counter++;
        report("TOUCH " + from);
        report("TOUCH " + to);
        fs.rename(fs.resolve(parent(from)), name(from), fs.resolve(dir.isEmpty() ? "/" : dir), name(to));
        files.add(to);
        if (rnd.nextBoolean()) {
            long ino = fs.resolve(to);
            FileHandle h = fs.open(ino, false);
            try {
                syncAndReport(h, to, readAll(fs, h, fs.getattr(ino).size()));
            } finally {
                fs.release(h);
            }
        }
    }

    private void delete() throws Exception {
        String path = files.remove(rnd.nextInt(files.size()));
        report("TOUCH " + path);
        fs.unlink(fs.resolve(parent(path)), name(path));
    }

    private void mkdir() throws Exception {
        String path = "/d" + tag + "_" + counter++;
        fs.mkdir(FileSystem.ROOT_INO, name(path), 0755, 0, 0);
        dirs.add(path);
    }

    /** fsync, and only once it has returned, the report that {@code path} now durably holds {@code content}. */
    private void syncAndReport(FileHandle h, String path, byte[] content) throws Exception {
        fs.fsync(h);
        report("SYNCED " + path + " " + sha256(content));
    }

    /** The first {@code size} bytes of an open file. */
    static byte[] readAll(FileSystem fs, FileHandle h, long size) throws FsException {
        ByteBuffer buf = ByteBuffer.allocate((int) size);
        while (buf.hasRemaining()) {
            if (fs.read(h, buf.position(), buf) <= 0) {
                break;
            }
        }
        return buf.array();
    }

    private void report(String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    static String parent(String path) {
        int i = path.lastIndexOf('/');
        return i <= 0 ? "/" : path.substring(0, i);
    }

    static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
