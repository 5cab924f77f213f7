package io.ext3ns.fs.check;

import io.ext3ns.fs.disk.CorruptFsException;
import io.ext3ns.fs.disk.Features;
import io.ext3ns.fs.disk.Superblock;
import io.ext3ns.fs.inspect.VolumeReader;
import io.ext3ns.fs.journal.Journal;
import io.ext3ns.fs.journal.RecoveryReport;
import io.ext3ns.fs.util.Progress;
import io.ext3ns.sda.BlockDevice;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * fsck for EXT3NS volumes at every block size (1 KiB–2 MiB), the in-process API behind fsck.ext3ns. Runs e2fsck's five
 * passes over a validated superblock and descriptor table; with {@link CheckOptions#fix()} it repairs what is safely
 * fixable (bitmaps, counts, link counts, dtimes, file types, '..', orphans into lost+found) a pass at a time and scans
 * again, so later passes judge the repaired volume. Anything that makes the volume unreadable (bad superblock,
 * truncated device, absurd geometry, I/O error) ends the check with an operational error, never an exception.
 */
public final class VolumeChecker {
    /** e2fsck's title of each pass, by pass number (0: the superblock and descriptor checks before pass 1). */
    public static final List<String> PASS_TITLES = List.of(
            "Checking superblock and group descriptors",
            "Pass 1: Checking inodes, blocks, and sizes",
            "Pass 2: Checking directory structure",
            "Pass 3: Checking directory connectivity",
            "Pass 4: Checking reference counts",
            "Pass 5: Checking group summary information");

    /** Repair rounds before giving up (each round fixes the earliest pass with repairs, then rescans). */
    static final int MAX_ROUNDS = 8;

    private VolumeChecker() {
    }

    public static CheckReport check(BlockDevice device, CheckOptions options) {
        return check(device, options, Progress.NONE);
    }

    /**
     * As {@link #check(BlockDevice, CheckOptions)}, reporting passes 1–5 of every scan as stages to {@code progress}
     * (a repair's rescan reports them again). Progress is only told, never asked: the verdict is the same.
     */
    public static CheckReport check(BlockDevice device, CheckOptions options, Progress progress) {
        String name = device.name();
        try {
            SuperblockChoice.Opened opened = SuperblockChoice.open(device, options);
            VolumeReader volume = opened.volume();
            Superblock sb = volume.superblock();
            Problem replayed = null;
            boolean primary = volume.superblockGroup() == 0;
            if (options.fix() && primary && sb.hasIncompat(Features.INCOMPAT_RECOVER)) {
                // as e2fsck: replay the journal first, then check what the replay left
                String summary = Journal.recoverIfNeeded(device).map(RecoveryReport::summary)
                        .orElse("journal was empty");
                replayed = Problem.error(0, "the journal needed recovery: " + summary, null);
                opened = SuperblockChoice.open(device, options);
                volume = opened.volume();
                sb = volume.superblock();
            }
            if (!options.force() && primary && sb.state() == Superblock.STATE_VALID
                    && !sb.hasIncompat(Features.INCOMPAT_RECOVER)) {
                return notScanned(name, sb);
            }
            long now = System.currentTimeMillis() / 1000;
            CheckState state = scan(opened, now, progress);
            List<Problem> found = new ArrayList<>(state.problems);
            int repaired = 0;
            if (replayed != null) {
                found.add(0, replayed);
                repaired++;
            }
            List<Problem> failedRepairs = new ArrayList<>();
            List<String> lastBatch = List.of();
            for (int round = 0; options.fix() && round < MAX_ROUNDS; round++) {
                List<Problem> batch = earliestRepairs(state.problems);
                List<String> messages = batch.stream().map(Problem::message).toList();
                if (batch.isEmpty() || messages.equals(lastBatch)) {
                    break; // nothing to repair, or the same repairs did not help last round
                }
                lastBatch = messages;
                Repairs repairs = new Repairs(opened.volume(), now);
                for (Problem p : batch) {
                    try {
                        p.repair().apply(repairs);
                        repaired++;
                    } catch (IOException e) {
                        failedRepairs.add(Problem.note(p.pass(), "could not repair (" + p.message() + "): "
                                + e.getMessage(), null));
                    }
                }
                repairs.finish();
                // the rescan reads the primary copies again: a check from a backup rewrote them in the first round
                opened = SuperblockChoice.open(device, options.withSuperblock(0, 0));
                state = scan(opened, now, progress);
            }
            List<Problem> remaining = new ArrayList<>(state.problems);
            remaining.addAll(failedRepairs);
            if (options.fix() && remaining.stream().noneMatch(Problem::isError)) {
                Problem marked = markClean(opened.volume(), now); // as the last scan read it: repaired counts
                if (marked != null) {
                    found.add(marked);
                    repaired++;
                }
            }
            return new CheckReport(name, List.copyOf(found), repaired, List.copyOf(remaining), null, stats(state));
        } catch (CorruptFsException e) {
            return CheckReport.operational(name, e.detail());
        } catch (IOException | RuntimeException e) {
            return CheckReport.operational(name, "cannot check: " + e);
        }
    }

    private static CheckState scan(SuperblockChoice.Opened opened, long now, Progress progress)
            throws IOException {
        VolumeReader volume = opened.volume();
        CheckState st = new CheckState(volume, progress);
        if (opened.problem() != null) {
            st.report(opened.problem());
        }
        new JournalCheck(st).run();
        progress.stage(PASS_TITLES.get(InodePass.PASS), Progress.Unit.INODES,
                volume.groupCount() * st.geo.inodesPerGroup());
        new InodePass(st, now).run();
        progress.stage(PASS_TITLES.get(DirectoryPass.PASS), Progress.Unit.DIRECTORIES, st.dirs.size());
        new DirectoryPass(st).run();
        progress.stage(PASS_TITLES.get(ConnectivityPass.PASS), Progress.Unit.DIRECTORIES, st.dirs.size());
        new ConnectivityPass(st).run();
        progress.stage(PASS_TITLES.get(LinkCountPass.PASS), Progress.Unit.INODES, st.inodes.size());
        new LinkCountPass(st).run();
        progress.stage(PASS_TITLES.get(GroupSummaryPass.PASS), Progress.Unit.GROUPS, volume.groupCount());
        GroupSummaryPass summary = new GroupSummaryPass(st);
        summary.run();
        st.freeBlocks = summary.freeBlocks;
        st.freeInodes = summary.freeInodes;
        long unlisted = st.problemCount - st.problems.size();
        if (unlisted > 0) {
            st.problems.add(Problem.error(0, unlisted + " further problems not listed (the first "
                    + CheckState.MAX_PROBLEMS + " are)"));
        }
        return st;
    }

    /**
     * fsck -y found (or made) the volume consistent: mark it clean as e2fsck does, or a volume without a journal that
     * crashed stays "not clean" and every read-write mount is refused. Returns what was done, or null if the state
     * was already clean.
     */
    private static Problem markClean(VolumeReader volume, long now) throws IOException {
        int state = volume.superblock().state();
        if (state == Superblock.STATE_VALID) {
            return null;
        }
        Repairs repairs = new Repairs(volume, now);
        repairs.markClean();
        repairs.finish();
        String why = (state & Superblock.STATE_ERROR) != 0 ? "had errors recorded"
                : "was not cleanly unmounted";
        return Problem.note(0, "file system " + why + "; marked clean", null);
    }

    /** The repairs of the earliest pass that has any: later passes are judged again after they are applied. */
    private static List<Problem> earliestRepairs(List<Problem> problems) {
        int pass = Integer.MAX_VALUE;
        for (Problem p : problems) {
            if (p.fixable()) {
                pass = Math.min(pass, p.pass());
            }
        }
        List<Problem> out = new ArrayList<>();
        for (Problem p : problems) {
            if (p.fixable() && p.pass() == pass) {
                out.add(p);
            }
        }
        return out;
    }

    private static CheckReport.Stats stats(CheckState st) {
        long inodes = st.geo.inodesCount();
        long blocks = st.geo.blocksCount();
        return new CheckReport.Stats(inodes - st.freeInodes, inodes, blocks - st.freeBlocks, blocks,
                st.fragmentedFiles, true);
    }

    private static CheckReport notScanned(String name, Superblock sb) {
        var stats = new CheckReport.Stats(sb.inodesCount() - sb.freeInodesCount(), sb.inodesCount(),
                sb.blocksCount() - sb.freeBlocksCount(), sb.blocksCount(), 0, false);
        return new CheckReport(name, List.of(), 0, List.of(), null, stats);
    }
}
