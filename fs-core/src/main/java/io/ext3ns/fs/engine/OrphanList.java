package io.ext3ns.fs.engine;

import io.ext3ns.fs.disk.CorruptFsException;
import io.ext3ns.fs.disk.Inode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * ext3's orphan list: inodes whose last name is gone while they are still open. On disk it is a chain from
 * s_last_orphan through each orphan's i_dtime, so that after a crash the next read-write mount (or fsck) frees them
 * instead of leaking their space. In memory the chain is an ordered set (newest first); every write of an orphan
 * inode takes its i_dtime from the set ({@link InodeStore} asks {@link #nextOf} under this monitor), so a caller
 * holding an older copy of a neighbour can never break the chain.
 */
final class OrphanList {
    private final Volume vol;
    /** Newest first: the head is s_last_orphan. */
    private final LinkedHashSet<Long> chain = new LinkedHashSet<>();
    /**
     * Membership readable without the monitor, so writes of ordinary inodes never wait for it (no global lock on
     * the data path). An inode joins or leaves only under its own inode lock, which every writer of it holds.
     */
    private final Set<Long> members = ConcurrentHashMap.newKeySet();

    OrphanList(Volume vol) {
        this.vol = vol;
    }

    /** The inodes a previous mount left on the list: s_last_orphan and the dtime chain, checked and bounded. */
    static List<Long> readChain(Volume vol, InodeStore inodes) throws IOException {
        List<Long> out = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        long ino = vol.sb.lastOrphan();
        while (ino != 0) {
            if (!vol.geo.isValidInode(ino) || ino < vol.sb.firstIno() || !seen.add(ino)) {
                throw new CorruptFsException("orphan list: bad or repeated inode " + ino + "; run fsck.ext3ns");
            }
            out.add(ino);
            ino = inodes.get(ino).dtime();
        }
        return out;
    }

    /** Puts {@code ino} at the head; the caller writes the inode next (its dtime then points at the old head). */
    synchronized void add(long ino) {
        LinkedHashSet<Long> rest = new LinkedHashSet<>(chain);
        chain.clear();
        chain.add(ino);
        chain.addAll(rest);
        members.add(ino);
        syncHead();
    }

    /** Takes {@code ino} off the chain, relinking its predecessor (whose inode-table copy is patched in place). */
    synchronized void remove(long ino, InodeStore inodes) throws IOException {
        if (!chain.contains(ino)) {
            return;
        }
        Long pred = null;
        for (long x : chain) {
            if (x == ino) {
                break;
            }
            pred = x;
        }
        long next = nextOf(ino);
        chain.remove(ino);
        members.remove(ino);
        syncHead();
        if (pred != null) {
            inodes.patchDtime(pred, next);
        }
    }


    /** The i_dtime an orphan must carry: the next inode on the chain, 0 at the end. */
    synchronized long nextOf(long ino) {
        boolean found = false;
        for (long x : chain) {
            if (found) {
                return x;
            }
            found = x == ino;
        }
        return 0;
    }

    /**
     * Runs {@code write} for inode {@code ino}; for an orphan, under this monitor and with its chain pointer set in
     * {@code in} first. The caller holds the inode's lock.
     */
    void withPointer(long ino, Inode in, IoAction write) throws IOException {
        if (!members.contains(ino)) {
            write.run();
            return;
        }
        synchronized (this) {
            in.setDtime(nextOf(ino));
            write.run();
        }
    }

    @FunctionalInterface
    interface IoAction {
        void run() throws IOException;
    }

    private void syncHead() {
        synchronized (vol.sb) {
            vol.sb.setLastOrphan(chain.isEmpty() ? 0 : chain.iterator().next());
        }
    }
}
