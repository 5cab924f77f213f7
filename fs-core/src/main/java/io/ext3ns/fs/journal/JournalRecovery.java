package io.ext3ns.fs.journal;

import io.ext3ns.fs.disk.CorruptFsException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Journal replay, following JBD2's recovery (fs/jbd2/recovery.c) in three steps: scan the log from {@code s_start}
 * collecting complete transactions (each must carry the expected id and end in a commit block), gather the revoke
 * records of those transactions, then write home the newest unrevoked logged copy of every block. The scan stops at
 * the first block without the magic, with the wrong transaction id, of an unknown type, or with a corrupt record;
 * whatever follows the last commit block is discarded, so torn or corrupt tails are never replayed.
 * Finally the log is marked empty and the needs-recovery flag cleared.
 */
final class JournalRecovery {
    private final JournalLog log;

    /** A committed transaction found by the scan: its logged blocks (log position, home, escape) and its revokes. */
    private record ScannedTransaction(long tid, List<LoggedBlock> blocks, List<Long> revokes) {
    }

    private record LoggedBlock(long logPos, long fsBlock, boolean escaped) {
    }

    /** What the scan found: complete transactions, the id after the last one, why it stopped, any discarded tail. */
    private record Scan(List<ScannedTransaction> committed, long endTid, String stopReason, String discarded) {
    }

    JournalRecovery(JournalLog log) {
        this.log = log;
    }

    RecoveryReport run() throws IOException {
        JournalSuperblock jsb = log.superblock();
        if (!jsb.hasLiveTransactions()) {
            return new RecoveryReport(0, 0, 0, 0, 0, "journal is empty (s_start = 0)", null);
        }
        Scan scan = scan(jsb.start(), jsb.sequence());
        Map<Long, Long> revokedUpTo = revokes(scan.committed());
        int[] revokedCopies = new int[1];
        Map<Long, LoggedBlock> newest = newestCopies(scan.committed(), revokedUpTo, revokedCopies);
        for (Map.Entry<Long, LoggedBlock> e : newest.entrySet()) {
            LoggedBlock lb = e.getValue();
            byte[] content = log.read(lb.logPos());
            if (lb.escaped()) {
                BigEndian.put32(content, 0, BlockHeader.MAGIC);
            }
            log.io().write(lb.fsBlock(), content);
        }
        log.io().flush();
        // Never reuse the id of a discarded tail: start after it, as JBD2 does.
        jsb.setSequence(Tids.next(scan.endTid()));
        jsb.setStart(0);
        log.writeSuperblock();
        log.io().flush();
        new RecoverFlag(log.io()).writeOnDisk(false);
        log.io().flush();
        List<ScannedTransaction> c = scan.committed();
        return new RecoveryReport(c.size(), c.isEmpty() ? 0 : c.get(0).tid(), c.isEmpty() ? 0 : c.get(c.size() - 1).tid(),
                newest.size(), revokedCopies[0], scan.stopReason(), scan.discarded());
    }

    private Scan scan(long start, long firstTid) throws IOException {
        List<ScannedTransaction> committed = new ArrayList<>();
        long expect = firstTid;
        long pos = start;
        long seen = 0;
        List<LoggedBlock> blocks = new ArrayList<>();
        List<Long> revokes = new ArrayList<>();
        boolean inTransaction = false;
        String stop;
        while (true) {
            if (seen >= log.capacity()) {
                stop = "the scan went once around the whole log";
                break;
            }
            byte[] b = log.read(pos);
            BlockHeader h = BlockHeader.read(b);
            if (h == null) {
                stop = "log block " + pos + " has no JBD2 magic (end of log)";
                break;
            }
            if (h.sequence() != expect) {
                stop = "log block " + pos + " belongs to transaction " + h.sequence() + ", expected " + expect;
                break;
            }
            try {
                if (h.type() == BlockHeader.DESCRIPTOR) {
                    List<DescriptorBlock.Tag> tags = DescriptorBlock.decode(b, log::checkHomeBlock);
                    if (seen + 1 + tags.size() > log.capacity()) {
                        throw new CorruptFsException("descriptor at log block " + pos + " lists " + tags.size()
                                + " blocks, more than the log holds");
                    }
                    long dataPos = log.next(pos);
                    for (DescriptorBlock.Tag t : tags) {
                        blocks.add(new LoggedBlock(dataPos, t.fsBlock(), t.escaped()));
                        dataPos = log.next(dataPos);
                    }
                    inTransaction = true;
                    seen += 1 + tags.size();
                    pos = dataPos;
                    continue;
                }
                if (h.type() == BlockHeader.REVOKE) {
                    revokes.addAll(RevokeBlock.decode(b));
                    inTransaction = true;
                } else if (h.type() == BlockHeader.COMMIT) {
                    committed.add(new ScannedTransaction(expect, blocks, revokes));
                    blocks = new ArrayList<>();
                    revokes = new ArrayList<>();
                    inTransaction = false;
                    expect = Tids.next(expect);
                } else {
                    stop = "log block " + pos + " is a " + BlockHeader.typeName(h.type()) + " block, not a log record";
                    break;
                }
            } catch (CorruptFsException e) {
                stop = "transaction " + expect + " is corrupt: " + e.getMessage();
                inTransaction = true;
                break;
            }
            seen++;
            pos = log.next(pos);
        }
        String discarded = inTransaction ? "transaction " + expect + " (no valid commit block; not replayed)" : null;
        return new Scan(committed, expect, stop, discarded);
    }

    /** For each revoked block, the newest transaction that revoked it. */
    private static Map<Long, Long> revokes(List<ScannedTransaction> committed) {
        Map<Long, Long> upTo = new HashMap<>();
        for (ScannedTransaction t : committed) {
            for (long blk : t.revokes()) {
                upTo.merge(blk, t.tid(), (a, b) -> Tids.after(b, a) ? b : a);
            }
        }
        return upTo;
    }

    /** The last logged copy of every block that no revoke at or after its transaction suppresses. */
    private static Map<Long, LoggedBlock> newestCopies(List<ScannedTransaction> committed, Map<Long, Long> revokedUpTo,
                                                       int[] revokedCopies) {
        Map<Long, LoggedBlock> newest = new TreeMap<>();
        for (ScannedTransaction t : committed) {
            for (LoggedBlock lb : t.blocks()) {
                Long revokedAt = revokedUpTo.get(lb.fsBlock());
                if (revokedAt != null && Tids.atOrAfter(revokedAt, t.tid())) {
                    revokedCopies[0]++;
                    continue;
                }
                newest.put(lb.fsBlock(), lb);
            }
        }
        return newest;
    }
}
