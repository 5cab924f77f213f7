package io.ext3ns.tools;

import io.ext3ns.fs.disk.BlockMapShape;
import io.ext3ns.fs.util.Progress;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Copies an {@link ImportPlan} into an {@link ImportTarget}. Everything that can be known in advance is checked
 * before the first write (destinations that exist, free space and inodes), so a refusal changes nothing. A failure
 * part-way (ENOSPC, a source that cannot be read or changes size) stops the import, removes the file being written
 * and leaves what was copied before it; the target is closed (flushed) by the caller either way.
 */
final class Importer {
    /** Opens a source file for reading; a seam through which tests make a source fail part-way. */
    @FunctionalInterface
    interface SourceOpener {
        ReadableByteChannel open(Path source) throws IOException;
    }

    /** Bytes moved per read and write (rounded up to whole blocks of the target). */
    static final int CHUNK_BYTES = 4 << 20;
    static final String STAGE_TITLE = "Copying";
    /** A symlink target up to this long is kept in the inode (a fast symlink); longer ones take a block. */
    private static final int FAST_SYMLINK_MAX = 59;

    /** What was imported. */
    record Summary(long files, long directories, long symlinks, long bytes) {
    }

    private final ImportTarget target;
    private final boolean replace;
    private final Progress progress;
    private final SourceOpener sources;
    /** Set by {@link #cancel()} (Ctrl-C, SIGTERM): the copy stops at the next chunk and cleans up as on a failure. */
    private volatile boolean cancelled;

    Importer(ImportTarget target, boolean replace, Progress progress, SourceOpener sources) {
        this.target = target;
        this.replace = replace;
        this.progress = progress;
        this.sources = sources;
    }

    Importer(ImportTarget target, boolean replace, Progress progress) {
        this(target, replace, progress, FileChannel::open);
    }

    /** Asks a running import to stop; it removes the file it was writing and throws an {@link ImportFailure}. */
    void cancel() {
        cancelled = true;
    }

    private void stopIfCancelled() throws IOException {
        if (cancelled) {
            throw new IOException("interrupted");
        }
    }

    Summary run(ImportPlan plan) throws IOException {
        List<ImportTarget.Existing> existing = preflight(plan);
        progress.stage(STAGE_TITLE, Progress.Unit.BYTES, plan.totalBytes());
        int bs = target.blockSize();
        ByteBuffer buffer = ByteBuffer.allocateDirect((CHUNK_BYTES + bs - 1) / bs * bs);
        long files = 0;
        long dirs = 0;
        long links = 0;
        long bytes = 0;
        List<ImportPlan.Entry> entries = plan.entries();
        for (int i = 0; i < entries.size(); i++) {
            ImportPlan.Entry e = entries.get(i);
            ImportTarget.Existing old = existing.get(i);
            progress.item(e.dest());
            try {
                stopIfCancelled();
                switch (e.kind()) {
                    case DIRECTORY -> {
                        if (old == null || old.kind() != ImportPlan.Kind.DIRECTORY) {
                            if (old != null) {
                                target.remove(e.dest());
                            }
                            target.mkdir(e.dest(), e.mode());
                        }
                        dirs++;
                    }
                    case SYMLINK -> {
                        if (old != null) {
                            target.remove(e.dest());
                        }
                        target.symlink(e.dest(), e.linkTarget());
                        target.setAttributes(e.dest(), e.kind(), e.mode(), e.atime(), e.mtime());
                        links++;
                    }
                    case FILE -> {
                        if (old != null) {
                            target.remove(e.dest());
                        }
                        bytes = copyFile(e, buffer, bytes);
                        target.setAttributes(e.dest(), e.kind(), e.mode(), e.atime(), e.mtime());
                        files++;
                    }
                }
            } catch (IOException | RuntimeException ex) {
                removePartial(e, ex);
                throw ImportFailure.failed("importing " + e.source() + " to " + target.describe(e.dest())
                        + " failed: " + ToolRunner.describe(ex) + (e.kind() == ImportPlan.Kind.FILE
                        ? "; the partial copy was removed" : "") + "; " + files + " files copied before it are kept",
                        ex);
            }
        }
        // directories last and deepest first: adding their entries changed their mtimes
        for (int i = entries.size() - 1; i >= 0; i--) {
            ImportPlan.Entry e = entries.get(i);
            if (e.kind() == ImportPlan.Kind.DIRECTORY) {
                target.setAttributes(e.dest(), e.kind(), e.mode(), e.atime(), e.mtime());
            }
        }
        return new Summary(files, dirs, links, bytes);
    }

    /** Copies one file in whole chunks; returns the import's byte count after it. */
    private long copyFile(ImportPlan.Entry e, ByteBuffer buffer, long bytesBefore) throws IOException {
        long done = bytesBefore;
        try (ReadableByteChannel in = sources.open(e.source());
             ImportTarget.FileWriter out = target.create(e.dest(), e.mode(), e.size())) {
            long left = e.size();
            while (left > 0) {
                stopIfCancelled();
                buffer.clear().limit((int) Math.min(buffer.capacity(), left));
                while (buffer.hasRemaining()) {
                    if (in.read(buffer) < 0) {
                        throw new IOException(e.source() + " became shorter while being imported");
                    }
                }
                buffer.flip();
                int n = buffer.remaining();
                out.write(buffer);
                left -= n;
                done += n;
                progress.update(done);
            }
        }
        return done;
    }

    /** After a failure: the file being written goes (a directory or symlink made before the failure stays). */
    private void removePartial(ImportPlan.Entry e, Exception cause) {
        if (e.kind() != ImportPlan.Kind.FILE) {
            return;
        }
        try {
            ImportTarget.Existing now = target.existing(e.dest());
            if (now != null && now.kind() == ImportPlan.Kind.FILE) {
                target.remove(e.dest());
            }
        } catch (IOException | RuntimeException again) {
            cause.addSuppressed(again);
        }
    }

    /**
     * What exists at each destination, after refusing — before anything is written — conflicts (an existing file
     * without -f; a directory where a file would go, even with -f) and an import that does not fit.
     */
    private List<ImportTarget.Existing> preflight(ImportPlan plan) throws IOException {
        int bs = target.blockSize();
        BlockMapShape shape = new BlockMapShape(bs);
        List<ImportTarget.Existing> existing = new ArrayList<>();
        List<String> conflicts = new ArrayList<>();
        long blocks = 0;
        long inodes = 0;
        for (ImportPlan.Entry e : plan.entries()) {
            ImportTarget.Existing old = target.existing(e.dest());
            existing.add(old);
            boolean mergeDirectory = old != null && old.kind() == ImportPlan.Kind.DIRECTORY
                    && e.kind() == ImportPlan.Kind.DIRECTORY;
            if (old != null && old.kind() == ImportPlan.Kind.DIRECTORY && !mergeDirectory) {
                throw ImportFailure.refused(target.describe(e.dest()) + " is a directory; it is not replaced by a "
                        + e.kind().name().toLowerCase(Locale.ROOT));
            }
            if (old != null && !mergeDirectory) {
                conflicts.add(target.describe(e.dest()));
                if (old.kind() == ImportPlan.Kind.FILE) {
                    long freed = ceilDiv(old.size(), bs);
                    blocks -= freed + shape.indirectBlocksFor(freed); // -f frees it first
                }
            }
            if (mergeDirectory) {
                continue;
            }
            inodes++;
            switch (e.kind()) {
                case DIRECTORY -> blocks++;
                case SYMLINK -> blocks += e.linkTarget().length() > FAST_SYMLINK_MAX ? 1 : 0;
                case FILE -> {
                    long data = ceilDiv(e.size(), bs);
                    blocks += data + shape.indirectBlocksFor(data);
                }
            }
        }
        if (!conflicts.isEmpty() && !replace) {
            throw ImportFailure.refused(conflicts.get(0) + " exists" + (conflicts.size() > 1 ? " (and "
                    + (conflicts.size() - 1) + " more)" : "") + "; nothing copied; use -f to replace");
        }
        long need = Math.max(0, blocks) * bs;
        long available = target.availableBytes();
        if (need > available) {
            throw ImportFailure.refused(String.format(Locale.ROOT, "the import (%.1f MB of files) needs %.1f MB,"
                    + " only %.1f MB are available on %s; nothing copied", plan.totalBytes() / 1e6, need / 1e6,
                    available / 1e6, target.describe("")));
        }
        long freeInodes = target.freeInodes();
        if (freeInodes >= 0 && inodes > freeInodes) {
            throw ImportFailure.refused("the import needs " + inodes + " inodes, " + freeInodes + " are free on "
                    + target.describe("") + "; nothing copied");
        }
        return existing;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
