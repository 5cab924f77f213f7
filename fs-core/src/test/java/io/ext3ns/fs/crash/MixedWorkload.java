package io.ext3ns.fs.crash;

import io.ext3ns.fs.api.DirEntry;
import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.FsException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * The work a crash interrupts: a few threads, each in its own directory {@code /tN}, creating files and writing them
 * in pieces of any size (so blocks are gathered, written behind and flushed part-full), appending, truncating then
 * writing again, overwriting, renaming, deleting, and making directories with small files in them (issue 22's
 * mkdir/echo/mv loop), fsyncing some of it. File bytes are never zero and no write leaves a hole, so a zero byte
 * inside a file's size after a crash is data that never reached the disk under a size that did.
 *
 * <p>It tells its {@link Report}: {@code TOUCH path} before anything that may change what a path names, and
 * {@code SYNCED path sha256} once an fsync of the path with that content has returned. A path synced and not
 * touched since must have exactly that content after any crash.
 */
final class MixedWorkload {
    /** Where the workload's lines go (one line at a time, safe from several threads). */
    interface Report {
        void line(String line) throws IOException;
    }

    private final FileSystem fs;
    private final Report report;
    private final long seed;
    private final int threads;
    private final int bs;
    private final int maxFileBytes;
    private final int maxFilesPerThread;
    private final int maxPiece;

    MixedWorkload(FileSystem fs, Report report, long seed, int threads) {
        this.fs = fs;
        this.report = report;
        this.seed = seed;
        this.threads = threads;
        this.bs = fs.blockSize();
        // small volumes: up to two blocks per file at large blocks, past the 12 direct blocks at small ones
        this.maxFileBytes = bs >= 65536 ? 2 * bs : 20 * bs;
        this.maxFilesPerThread = bs >= 65536 ? 12 : 40;
        this.maxPiece = Math.min(2 * bs, 128 << 10);
    }

    /**
     * Before the crash can come: each thread's directory and one fsync'd file in it that nothing touches afterwards,
     * so every round has synced files to check.
     */
    void anchors() throws Exception {
        String tag = Long.toString((seed >>> 8) & 0xFFFFF, 36);
        Random rnd = new Random(seed);
        for (int t = 0; t < threads; t++) {
            String home = "t" + t;
            long dir;
            try {
                dir = fs.lookup(FileSystem.ROOT_INO, home);
            } catch (FsException missing) {
                dir = fs.mkdir(FileSystem.ROOT_INO, home, 0755, 0, 0);
            }
            long ino = fs.create(dir, "anchor" + tag, 0644, 0, 0);
            byte[] content = new byte[1 + rnd.nextInt(3 * bs)];
            rnd.nextBytes(content);
            for (int i = 0; i < content.length; i++) {
                content[i] = content[i] == 0 ? 7 : content[i];
            }
            FileHandle h = fs.open(ino, true);
            try {
                fs.write(h, 0, ByteBuffer.wrap(content));
                fs.fsync(h);
            } finally {
                fs.release(h);
            }
            report.line("SYNCED /" + home + "/anchor" + tag + " " + sha256(content));
        }
    }

    /** Runs every thread until {@code stop} says so or an operation fails; returns the first failure, or null. */
    Throwable run(BooleanSupplier stop) throws InterruptedException {
        List<Thread> workers = new ArrayList<>();
        Throwable[] failure = new Throwable[1];
        for (int t = 0; t < threads; t++) {
            Worker w = new Worker(t, new Random(seed * 31 + t));
            Thread th = new Thread(() -> {
                try {
                    w.loop(stop);
                } catch (Throwable e) {
                    synchronized (failure) {
                        if (failure[0] == null) {
                            failure[0] = e;
                        }
                    }
                }
            }, "workload-" + t);
            th.setDaemon(true);
            workers.add(th);
            th.start();
        }
        for (Thread th : workers) {
            th.join();
        }
        return failure[0];
    }

    private final class Worker {
        private final Random rnd;
        private final String home;
        private final String tag;
        private final List<String> files = new ArrayList<>();
        private final List<String> dirs = new ArrayList<>();
        private int counter;

        Worker(int index, Random rnd) {
            this.rnd = rnd;
            this.home = "/t" + index;
            this.tag = Long.toString((seed >>> 8) & 0xFFFFF, 36);
        }

        void loop(BooleanSupplier stop) throws Exception {
            long homeIno;
            try {
                homeIno = fs.lookup(FileSystem.ROOT_INO, home.substring(1));
            } catch (FsException missing) {
                homeIno = fs.mkdir(FileSystem.ROOT_INO, home.substring(1), 0755, 0, 0);
            }
            dirs.add(home);
            scan(home, homeIno);
            while (!stop.getAsBoolean()) {
                try {
                    step();
                } catch (FsException e) {
                    if (e.errno() != Errno.ENOSPC) {
                        throw e;
                    }
                    if (!files.isEmpty()) {
                        delete();
                    }
                }
            }
        }

        private void scan(String dir, long ino) throws FsException {
            for (DirEntry e : fs.readdir(ino)) {
                if (e.name().equals(".") || e.name().equals("..")) {
                    continue;
                }
                String path = dir + "/" + e.name();
                if (e.fileType() == 2) {
                    dirs.add(path);
                    scan(path, e.ino());
                } else if (e.fileType() == 1 && !e.name().startsWith("anchor")) {
                    files.add(path);
                }
            }
        }

        private void step() throws Exception {
            int op = rnd.nextInt(100);
            if (files.size() >= maxFilesPerThread || (op < 10 && !files.isEmpty())) {
                delete();
            } else if (op < 20 && !files.isEmpty()) {
                rename();
            } else if (op < 35 && !files.isEmpty()) {
                append();
            } else if (op < 45 && !files.isEmpty()) {
                truncateThenWrite();
            } else if (op < 50 && !files.isEmpty()) {
                overwrite();
            } else if (op < 60 && dirs.size() < 12) {
                mkdirWithNote();
            } else {
                create();
            }
        }

        private void create() throws Exception {
            String path = dirs.get(rnd.nextInt(dirs.size())) + "/f" + tag + "_" + counter++;
            long ino = fs.create(fs.resolve(parent(path)), name(path), 0644, 0, 0);
            files.add(path);
            FileHandle h = fs.open(ino, true);
            try {
                // mostly small files (within a block at large blocks), one in four up to the largest
                writePieces(h, 0, rnd.nextInt(rnd.nextInt(4) == 0 ? maxFileBytes : Math.max(1, maxFileBytes / 8)) + 1);
                maybeSync(h, path);
            } finally {
                fs.release(h);
            }
        }

        private void append() throws Exception {
            String path = files.get(rnd.nextInt(files.size()));
            report.line("TOUCH " + path);
            long ino = fs.resolve(path);
            FileHandle h = fs.open(ino, true);
            try {
                long size = fs.getattr(ino).size();
                if (size < maxFileBytes) {
                    writePieces(h, size, rnd.nextInt(Math.max(1, maxFileBytes - (int) size)) + 1);
                }
                maybeSync(h, path);
            } finally {
                fs.release(h);
            }
        }

        private void truncateThenWrite() throws Exception {
            String path = files.get(rnd.nextInt(files.size()));
            report.line("TOUCH " + path);
            long ino = fs.resolve(path);
            FileHandle h = fs.open(ino, true);
            try {
                long size = fs.getattr(ino).size();
                long keep = size == 0 ? 0 : rnd.nextLong(size);
                fs.truncate(ino, keep);
                writePieces(h, keep, rnd.nextInt(Math.min(2 * bs, maxFileBytes / 4)) + 1);
                maybeSync(h, path);
            } finally {
                fs.release(h);
            }
        }

        private void overwrite() throws Exception {
            String path = files.get(rnd.nextInt(files.size()));
            report.line("TOUCH " + path);
            long ino = fs.resolve(path);
            long size = fs.getattr(ino).size();
            if (size == 0) {
                return;
            }
            FileHandle h = fs.open(ino, true);
            try {
                long at = rnd.nextLong(size);
                writePieces(h, at, (int) Math.min(size - at, rnd.nextInt(maxPiece) + 1));
                maybeSync(h, path);
            } finally {
                fs.release(h);
            }
        }

        private void rename() throws Exception {
            String from = files.remove(rnd.nextInt(files.size()));
            String to = dirs.get(rnd.nextInt(dirs.size())) + "/r" + tag + "_" + counter++;
            report.line("TOUCH " + from);
            report.line("TOUCH " + to);
            fs.rename(fs.resolve(parent(from)), name(from), fs.resolve(parent(to)), name(to));
            files.add(to);
        }

        private void delete() throws Exception {
            String path = files.remove(rnd.nextInt(files.size()));
            report.line("TOUCH " + path);
            fs.unlink(fs.resolve(parent(path)), name(path));
        }

        /** mkdir, a small file in it, and a rename into it: the shape of issue 22's shell loop. */
        private void mkdirWithNote() throws Exception {
            String dir = home + "/d" + tag + "_" + counter++;
            fs.mkdir(fs.resolve(home), name(dir), 0755, 0, 0);
            dirs.add(dir);
            String note = dir + "/note";
            long ino = fs.create(fs.resolve(dir), "note", 0644, 0, 0);
            files.add(note);
            FileHandle h = fs.open(ino, true);
            try {
                writePieces(h, 0, 1 + rnd.nextInt(64));
            } finally {
                fs.release(h);
            }
            if (!files.isEmpty() && rnd.nextBoolean()) {
                String from = files.remove(rnd.nextInt(files.size()));
                String to = dir + "/m" + counter++;
                report.line("TOUCH " + from);
                report.line("TOUCH " + to);
                fs.rename(fs.resolve(parent(from)), name(from), fs.resolve(dir), name(to));
                files.add(to);
            }
        }

        /** Writes {@code length} non-zero bytes at {@code offset} in pieces of random size. */
        private void writePieces(FileHandle h, long offset, int length) throws Exception {
            byte[] data = nonZeroBytes(length);
            int off = 0;
            while (off < length) {
                int n = Math.min(length - off, 1 + rnd.nextInt(rnd.nextBoolean() ? 512 : maxPiece));
                fs.write(h, offset + off, ByteBuffer.wrap(data, off, n));
                off += n;
            }
        }

        private byte[] nonZeroBytes(int n) {
            byte[] b = new byte[n];
            rnd.nextBytes(b);
            for (int i = 0; i < n; i++) {
                if (b[i] == 0) {
                    b[i] = (byte) (1 + (i & 0x7F));
                }
            }
            return b;
        }

        /** Now and then fsync, then report the content that is now durable. */
        private void maybeSync(FileHandle h, String path) throws Exception {
            if (rnd.nextInt(3) != 0) {
                return;
            }
            fs.fsync(h);
            long ino = fs.resolve(path);
            report.line("SYNCED " + path + " " + sha256(readAll(fs, h, fs.getattr(ino).size())));
        }
    }

    static byte[] readAll(FileSystem fs, FileHandle h, long size) throws FsException {
        ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(size));
        while (buf.hasRemaining()) {
            if (fs.read(h, buf.position(), buf) <= 0) {
                break;
            }
        }
        return buf.array();
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String parent(String path) {
        int i = path.lastIndexOf('/');
        return i <= 0 ? "/" : path.substring(0, i);
    }

    static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
