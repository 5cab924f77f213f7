package io.ext3ns.fuse;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.crash.CrashVerdict;
import io.ext3ns.fs.testing.TestImages;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issues 16 and 22 through the real mount: programs write through the kernel (issue 22's mkdir/echo/mv loop, files
 * written in pieces, appended, truncated then written, some fsync'd) while mount.ext3ns commits every second; the
 * mount process is SIGKILLed at a seeded moment and lazily unmounted, as a user would. Then {@link CrashVerdict}:
 * fsck.ext3ns -y, both fscks clean with e2fsck's counts, a read-write mount, fsync'd files exact, no zero-filled gap,
 * and the same after the engine's own replay on a copy. The engine-level loop ({@code CrashLoopTest}) does the
 * hundred kills; this one shows the mount's path (FUSE threads, the commit timer, release on close) behaves the same.
 */
class MountCrashTest {
    private static final int ROUNDS = 6;

    @TempDir
    Path tmp;

    @Test
    void killedMountRecoversWithSyncedFilesExactAndNoZeroGaps() throws Exception {
        Path img = tmp.resolve("vol.img");
        TestImages.format(img, 64L << 20, TestImages.spec(4096).journalBlocks(1024).build());
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        CrashVerdict verdict = new CrashVerdict(4096);
        Random rnd = new Random(Long.getLong("crash.seed", 22L));
        for (int round = 0; round < ROUNDS; round++) {
            long seed = rnd.nextLong();
            long killAfterMs = 300 + rnd.nextInt(1500);
            String context = "round " + round + " (seed " + seed + ", kill after " + killAfterMs + " ms)";
            List<String> lines = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> workers = new ArrayList<>();
            try (MountProcess mount = MountProcess.mount(img.toString(), mnt, "commit=1")) {
                for (int t = 0; t < 3; t++) {
                    Path home = Files.createDirectories(mnt.resolve("t" + t));
                    Random r = new Random(seed * 31 + t);
                    String tag = round + "_" + t;
                    Thread w = new Thread(() -> work(home, tag, r, lines, stop), "kernel-workload-" + t);
                    w.setDaemon(true);
                    workers.add(w);
                    w.start();
                }
                Thread.sleep(killAfterMs);
                mount.kill(); // SIGKILL; close() below unmounts the dead mount lazily
            } finally {
                stop.set(true);
                for (Thread w : workers) {
                    w.join(60_000);
                    assertTrue(!w.isAlive(), context + ": a workload thread hangs on the dead mount");
                }
            }
            verdict.check(img, new ArrayList<>(lines), context);
        }
        verdict.judge(img, "after the last round's unmount");
        assertTrue(verdict.syncedFilesChecked > 0, "no fsync'd file was ever checked");
    }

    /** One program's work in {@code home} until the mount dies; the report lines as MixedWorkload writes them. */
    private static void work(Path home, String tag, Random rnd, List<String> lines, AtomicBoolean stop) {
        List<Path> files = new ArrayList<>();
        int n = 0;
        try {
            while (!stop.get()) {
                int op = rnd.nextInt(10);
                if (op < 3) { // issue 22's loop: mkdir, echo, mv
                    Path d = Files.createDirectory(home.resolve("d" + tag + "_" + n++));
                    Files.write(d.resolve("note"), ("hello " + n + "\n").getBytes());
                    Path moved = d.resolve("moved" + n++);
                    lines.add("TOUCH " + rel(home, d.resolve("note")));
                    lines.add("TOUCH " + rel(home, moved));
                    Files.move(d.resolve("note"), moved);
                } else if (op < 7 || files.isEmpty()) {
                    Path f = home.resolve("f" + tag + "_" + n++);
                    files.add(f);
                    write(f, rnd, 0, 1 + rnd.nextInt(60_000), false, lines, home);
                } else if (op < 9) {
                    Path f = files.get(rnd.nextInt(files.size()));
                    lines.add("TOUCH " + rel(home, f));
                    write(f, rnd, -1, 1 + rnd.nextInt(20_000), false, lines, home);
                } else {
                    Path f = files.get(rnd.nextInt(files.size()));
                    lines.add("TOUCH " + rel(home, f));
                    write(f, rnd, -1, 1 + rnd.nextInt(9_000), true, lines, home);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the mount died under us: that is the crash
        }
    }

    /** Writes non-zero bytes in pieces at {@code at} (-1: the end; after a truncate to a random size when asked). */
    private static void write(Path f, Random rnd, long at, int length, boolean truncateFirst, List<String> lines,
                              Path home) throws IOException {
        byte[] data = new byte[length];
        rnd.nextBytes(data);
        for (int i = 0; i < length; i++) {
            data[i] = data[i] == 0 ? 1 : data[i];
        }
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ)) {
            long pos = at;
            if (truncateFirst && ch.size() > 0) {
                ch.truncate(rnd.nextLong(ch.size()));
            }
            if (pos < 0) {
                pos = ch.size();
            }
            int off = 0;
            while (off < length) {
                int piece = Math.min(length - off, 1 + rnd.nextInt(rnd.nextBoolean() ? 300 : 9000));
                ByteBuffer b = ByteBuffer.wrap(data, off, piece);
                while (b.hasRemaining()) {
                    ch.write(b, pos + off + (piece - b.remaining()));
                }
                off += piece;
            }
            if (rnd.nextInt(3) == 0) {
                ch.force(true);
                ByteBuffer all = ByteBuffer.allocate((int) ch.size());
                while (all.hasRemaining() && ch.read(all, all.position()) > 0) {
                    // read to the end
                }
                lines.add("SYNCED " + rel(home, f) + " " + sha256(all.array()));
            }
        }
    }

    /** The path as the engine sees it: /tN/name. */
    private static String rel(Path home, Path p) {
        return "/" + home.getFileName() + "/" + home.relativize(p).toString();
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
