package io.ext3ns.fs.check;

import io.ext3ns.fs.disk.Geometry;
import io.ext3ns.fs.disk.Inode;
import io.ext3ns.fs.disk.Superblock;
import io.ext3ns.fs.inspect.VolumeReader;
import io.ext3ns.fs.util.Progress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What the passes learn about one volume and hand on to the next pass, plus the problems found so far. */
final class CheckState {
    /** Messages kept per scan; further problems are counted, so garbage images cannot exhaust memory. */
    static final int MAX_PROBLEMS = 2000;

    /** An inode pass 1 found in use. */
    static final class InodeInfo {
        final long ino;
        final int mode;
        final int links;
        int references;

        InodeInfo(long ino, int mode, int links) {
            this.ino = ino;
            this.mode = mode;
            this.links = links;
        }

        boolean isDirectory() {
            return (mode & Inode.S_IFMT) == Inode.S_IFDIR;
        }
    }

    /** A directory's blocks (logical, physical; physical 0 = hole) and what its entries said about its place. */
    static final class DirInfo {
        final long ino;
        final List<long[]> blocks = new ArrayList<>();
        /** Value of its ".." entry, and where that entry is (block, offset) for a repair. */
        long dotdot;
        long dotdotBlock;
        int dotdotOffset = -1;
        /** The first directory with an entry naming this one, 0 while none. */
        long parent;

        DirInfo(long ino) {
            this.ino = ino;
        }
    }

    final VolumeReader volume;
    final Superblock sb;
    final Geometry geo;
    final UsedBlocks used;
    /** Where each pass reports the items it has checked (the stage itself is started by the checker). */
    final Progress progress;
    /** In-use inodes by number (sorted, so reports come out in inode order). */
    final Map<Long, InodeInfo> inodes = new TreeMap<>();
    final Map<Long, DirInfo> dirs = new TreeMap<>();
    final Map<Long, Long> dirsPerGroup = new HashMap<>();
    /** Extended attribute blocks claimed, with the number of inodes pointing at each (they may share one). */
    final Map<Long, Long> attributeBlockRefs = new TreeMap<>();
    final List<Problem> problems = new ArrayList<>();
    /** Inode of /lost+found as the root names it, 0 when absent. */
    long lostAndFound;
    long problemCount;
    long fragmentedFiles;
    /** Totals pass 5 counted. */
    long freeBlocks;
    long freeInodes;

    CheckState(VolumeReader volume, Progress progress) {
        this.volume = volume;
        this.progress = progress;
        this.sb = volume.superblock();
        this.geo = volume.geometry();
        this.used = new UsedBlocks(geo.blocksCount());
    }

    void report(Problem p) {
        problemCount++;
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(p);
        } else if (p.fixable()) {
            problems.add(p); // repairs must not be lost to the message cap
        }
    }

    boolean inUse(long ino) {
        return inodes.containsKey(ino);
    }
}
