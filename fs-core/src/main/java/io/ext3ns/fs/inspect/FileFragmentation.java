package io.ext3ns.fs.inspect;

import io.ext3ns.fs.disk.Inode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * How a file's data blocks lie on disk: the contiguous runs of physical blocks in logical order. A run ends where the
 * next mapped block is not the physical successor of the previous one; holes end a run too. Indirect blocks are not
 * data and are not counted (an indirect block placed inside a run does break it, since the data skips over it).
 */
public final class FileFragmentation {
    /** {@code length} blocks from physical {@code start}, holding file blocks from {@code logical}. */
    public record Run(long logical, long start, long length) {
    }

    private final List<Run> runs;
    private final long dataBlocks;

    private FileFragmentation(List<Run> runs, long dataBlocks) {
        this.runs = runs;
        this.dataBlocks = dataBlocks;
    }

    /** Runs of inode {@code ino}'s data blocks. */
    public static FileFragmentation of(VolumeReader volume, long ino) throws IOException {
        Inode inode = volume.readInode(ino);
        inode.validate(ino, volume.geometry());
        if (inode.isFastSymlink() || !(inode.isRegular() || inode.isDirectory() || inode.isSymlink())) {
            return new FileFragmentation(List.of(), 0);
        }
        List<Run> runs = volume.dataRuns(ino, inode);
        long blocks = 0;
        for (Run r : runs) {
            blocks += r.length();
        }
        return new FileFragmentation(List.copyOf(runs), blocks);
    }

    /** Runs of a block list of {logical, physical} pairs in logical order. */
    public static FileFragmentation of(List<long[]> logicalPhysical) {
        List<Run> runs = new ArrayList<>();
        long runLogical = -1;
        long runStart = -1;
        long runLength = 0;
        for (long[] lp : logicalPhysical) {
            boolean continues = runLength > 0 && lp[0] == runLogical + runLength && lp[1] == runStart + runLength;
            if (continues) {
                runLength++;
                continue;
            }
            if (runLength > 0) {
                runs.add(new Run(runLogical, runStart, runLength));
            }
            runLogical = lp[0];
            runStart = lp[1];
            runLength = 1;
        }
        if (runLength > 0) {
            runs.add(new Run(runLogical, runStart, runLength));
        }
        return new FileFragmentation(List.copyOf(runs), logicalPhysical.size());
    }

    public List<Run> runs() {
        return runs;
    }

    public int runCount() {
        return runs.size();
    }

    public long dataBlocks() {
        return dataBlocks;
    }
}
