package io.ext3ns.fs.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.api.DirEntry;
import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.check.CheckOptions;
import io.ext3ns.fs.check.CheckReport;
import io.ext3ns.fs.check.VolumeChecker;
import io.ext3ns.fs.engine.EngineOptions;
import io.ext3ns.fs.engine.Ext3FileSystem;
import io.ext3ns.fs.journal.Journal;
import io.ext3ns.fs.testing.E2fsprogs;
import io.ext3ns.fs.testing.ExternalTool;
import io.ext3ns.sda.FileMember;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What must hold after any crash (SIGKILL or power cut), checked the two ways a user recovers:
 * <ol>
 * <li>{@code fsck.ext3ns -y} (replays the journal, repairs what a journal-less crash left), then {@code fsck.ext3ns
 * -fn} clean and, at block sizes e2fsprogs handles, {@code e2fsck -fn} exit 0 with the same counts as ours (issue
 * 22); the volume mounts read-write again; every fsync'd file has exactly its synced content; no file has a zero
 * byte inside its size (the workload writes none: issue 16 D). The next round starts from that mount's unmount;
 * {@link #judge} checks the last one.</li>
 * <li>For a journalled volume, on a copy of the crashed image: the mount's own replay, the same file checks, unmount,
 * both fscks clean.</li>
 * </ol>
 * Public for fuse-mount's crash test (fs-core test-jar).
 */
public final class CrashVerdict {
    private final int blockSize;
    private final boolean e2fsck;
    public int replayedAtMount;
    public int syncedFilesChecked;
    public int filesChecked;
    private int rounds;

    public CrashVerdict(int blockSize) {
        this.blockSize = blockSize;
        this.e2fsck = blockSize <= 65536 && E2fsprogs.installed();
    }

    /** {@code report}: the workload's TOUCH and SYNCED lines (see {@link MixedWorkload}), in order. */
    public void check(Path img, List<String> report, String context) throws Exception {
        Map<String, String> synced = syncedContents(report);
        Path copy = img.resolveSibling(img.getFileName() + ".mount-replay");
        boolean journalled;
        try (FileMember dev = new FileMember(img, true)) {
            journalled = Journal.hasJournal(dev);
        }
        boolean replayCopy = journalled && blockSize <= 65536; // at 1 MiB the sparse image is 2 GiB: see below
        if (replayCopy) {
            Files.copy(img, copy, StandardCopyOption.REPLACE_EXISTING);
        }
        if (journalled && !replayCopy && (rounds++ & 1) == 1) {
            // every other round the mount's own replay recovers the image itself
            verifyMounted(img, synced, context + ", replayed by the mount");
            judge(img, context + ", replayed by the mount, after unmount");
            return;
        }
        try {
            try (FileMember dev = new FileMember(img, false)) {
                CheckReport fixed = VolumeChecker.check(dev, new CheckOptions(true, false));
                assertTrue(fixed.operationalError() == null && fixed.clean(),
                        context + ": fsck.ext3ns -y did not leave a clean volume: " + fixed);
            }
            judge(img, context + ", after fsck.ext3ns -y");
            verifyMounted(img, synced, context + ", mounted after fsck.ext3ns -y");
            if (replayCopy) {
                verifyMounted(copy, synced, context + ", replayed by the mount");
                judge(copy, context + ", replayed by the mount, after unmount");
            }
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    /** Ours (-fn) clean; e2fsck -fn exit 0 and the same summary (files, non-contiguous, blocks). */
    public void judge(Path img, String context) throws Exception {
        CheckReport ours;
        try (FileMember dev = new FileMember(img, true)) {
            ours = VolumeChecker.check(dev, CheckOptions.READ_ONLY_FORCED);
        }
        assertTrue(ours.clean(), context + ": fsck.ext3ns -fn: " + ours);
        if (!e2fsck) {
            return;
        }
        ExternalTool.Result r = E2fsprogs.checkReadOnly(img);
        assertEquals(0, r.exitCode(), context + ": e2fsck -fn:\n" + r.output() + "\nours: " + ours);
        List<String> lines = r.output().strip().lines().toList();
        String last = lines.get(lines.size() - 1);
        assertEquals(last.replaceFirst("^[^:]*:", ""), ours.summaryLine().replaceFirst("^[^:]*:", ""),
                context + ": e2fsck's and our counts");
    }

    /** Opens read-write (which must be allowed), checks every file, closes (a clean unmount). */
    private void verifyMounted(Path img, Map<String, String> synced, String context) throws Exception {
        boolean needsReplay;
        try (FileMember dev = new FileMember(img, true)) {
            needsReplay = Journal.hasJournal(dev) && Journal.open(dev).needsRecovery();
        }
        EngineOptions rw = EngineOptions.defaults().withCaches(8L << 20, 16L << 20);
        try (Ext3FileSystem fs = Ext3FileSystem.open(new FileMember(img, false), rw)) {
            assertTrue(!fs.readOnly(), context + ": refused read-write: " + fs.readOnlyReason());
            if (needsReplay) {
                replayedAtMount++;
            }
            Map<String, String> left = new HashMap<>(synced);
            walk(fs, "", FileSystem.ROOT_INO, left, context);
            assertTrue(left.isEmpty(), context + ": fsync'd files missing: " + left.keySet());
        }
    }

    private void walk(FileSystem fs, String dir, long dirIno, Map<String, String> synced, String context)
            throws IOException {
        for (DirEntry e : fs.readdir(dirIno)) {
            if (e.name().equals(".") || e.name().equals("..")) {
                continue;
            }
            String path = dir + "/" + e.name();
            if (e.fileType() == 2) {
                walk(fs, path, e.ino(), synced, context);
                continue;
            }
            FileHandle h = fs.open(e.ino(), false);
            byte[] content;
            try {
                content = MixedWorkload.readAll(fs, h, fs.getattr(e.ino()).size());
            } finally {
                fs.release(h);
            }
            filesChecked++;
            StringBuilder gaps = new StringBuilder();
            for (int i = 0; i < content.length; i++) {
                if (content[i] == 0) {
                    int end = i;
                    while (end < content.length && content[end] == 0) {
                        end++;
                    }
                    gaps.append(' ').append(i).append("..").append(end - 1);
                    i = end;
                }
            }
            if (gaps.length() > 0) {
                throw new AssertionError(context + ": " + path + " (size " + content.length + ", inode " + e.ino()
                        + ") reads zeros at" + gaps + ": data that never reached the disk under a size that did");
            }
            String want = synced.remove(path);
            if (want != null) {
                syncedFilesChecked++;
                assertEquals(want, MixedWorkload.sha256(content), context + ": content of fsync'd " + path);
            }
        }
    }

    /** Paths fsync'd and not touched since, with their content's SHA-256. */
    public static Map<String, String> syncedContents(List<String> report) {
        Map<String, String> expected = new HashMap<>();
        for (String line : report) {
            // a line cut by the kill: a short SYNCED is skipped; a TOUCH is printed before its operation starts
            String[] f = line.split(" ");
            if (f[0].equals("SYNCED") && f.length == 3 && f[2].length() == 64) {
                expected.put(f[1], f[2]);
            } else if (f[0].equals("TOUCH") && f.length == 2) {
                expected.remove(f[1]);
            }
        }
        return expected;
    }
}
