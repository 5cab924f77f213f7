package io.ext3ns.stream.origin;

import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.api.StatFs;
import io.ext3ns.stream.content.UpstreamUnavailableException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an edge volume under its high-water mark: before a title of {@code incoming} bytes is allocated, if the used
 * blocks plus it would pass the high mark, origin titles nobody has open are removed, least recently opened first,
 * until the volume would be at or under the low mark (or no such title is left). If it still would pass the high
 * mark, the new title is refused: the edge is full of titles being played or loaded by hand.
 */
final class Purger {
    private static final Logger LOG = LoggerFactory.getLogger(Purger.class);
    private final FileSystem fs;
    private final int highPercent;
    private final int lowPercent;
    private final OriginMetrics metrics;

    Purger(FileSystem fs, int highPercent, int lowPercent, OriginMetrics metrics) {
        this.fs = fs;
        this.highPercent = highPercent;
        this.lowPercent = lowPercent;
        this.metrics = metrics;
    }

    /** Removes from {@code candidates} (in order) what is needed; returns the titles removed. */
    List<OriginStore.Title> makeRoom(long incoming, List<OriginStore.Title> candidates) throws FsException {
        List<OriginStore.Title> removed = new ArrayList<>();
        StatFs s = fs.statfs();
        long total = s.totalBlocks() * s.blockSize();
        long high = total / 100 * highPercent;
        long low = total / 100 * lowPercent;
        if (used(s) + incoming <= high) {
            return removed;
        }
        for (OriginStore.Title t : candidates) {
            if (used(s) + incoming <= low) {
                break;
            }
            try {
                if (fs.lookup(t.dirIno, t.name) == t.ino) {
                    fs.unlink(t.dirIno, t.name);
                    metrics.titlesPurged.increment();
                    LOG.info("origin: purged {} to make room for {} bytes (volume past {}% used)", t.path, incoming,
                            highPercent);
                }
            } catch (FsException e) {
                if (e.errno() != Errno.ENOENT) {
                    throw e;
                }
            }
            removed.add(t);
            s = fs.statfs();
        }
        if (used(s) + incoming > high) {
            throw new UpstreamUnavailableException("no room for a title of " + incoming + " bytes under the "
                    + highPercent + "% high-water mark: the origin titles left are being played");
        }
        return removed;
    }

    private static long used(StatFs s) {
        return (s.totalBlocks() - s.freeBlocks()) * s.blockSize();
    }
}
