package io.ext3ns.stream.origin;

import io.ext3ns.fs.api.Attr;
import io.ext3ns.fs.api.DirEntry;
import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.cache.CachedBlock;
import io.ext3ns.sda.MemberExtent;
import io.ext3ns.stream.content.UpstreamUnavailableException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An edge store (docs/edge.md): the volume's {@link FileSystem} as the server and the mount see it, filling from an
 * {@link Origin}. A lookup of a name the volume lacks (in the root or a directory already walked) asks the origin;
 * if it has the object, the file is created at once at its full size (fallocated, marked partial in its xattr), a
 * background fill copies it in, and the lookup returns: reads of the file wait only for the chunks they cover.
 * Before a fill, origin titles not open anywhere are removed least-recently-opened first while the volume would
 * pass its high-water mark, down to its low-water mark ({@link Purger}); files without the xattr (loaded by hand)
 * are never removed. At start, partial titles left by a crash or a failed fill are removed.
 *
 * <p>{@link #close()} stops the fills; the file system underneath is its owner's to close.
 */
public final class OriginStore extends ForwardingFileSystem {
    private static final Logger LOG = LoggerFactory.getLogger(OriginStore.class);
    /** A name the origin does not have is not asked for again for this long. */
    private static final long NEGATIVE_TTL_NANOS = 2_000_000_000L;
    private static final int MAX_NEGATIVE = 10_000;
    private static final int MAX_SCAN_DEPTH = 64;

    private final Origin origin;
    private final OriginConfig config;
    private final OriginMetrics metrics = new OriginMetrics();
    private final Purger purger;
    private final ExecutorService fetchers;
    /** Where leases of units still filling wait for their bytes (idle threads end after a minute). */
    private final ExecutorService waiters;
    private final Object fillLock = new Object(); // one origin lookup at a time: a title is created once
    /** Directories walked so far, by inode: their path ("" for the root). */
    private final Map<Long, String> dirPaths = new ConcurrentHashMap<>();
    /** Fills still running (or failed, until the inode is reused), by inode; read paths check it. */
    private final Map<Long, TitleFill> fills = new ConcurrentHashMap<>();
    /** Titles that came from the origin, by inode (guarded by this). */
    private final Map<Long, Title> titles = new HashMap<>();
    private final Map<String, Long> notAtOrigin = new HashMap<>(); // guarded by fillLock

    /** An origin title's bookkeeping. */
    static final class Title {
        final String path;
        final long dirIno;
        final String name;
        final long ino;
        final String validator;
        long lastOpenedNanos;
        long validatedNanos;
        int opens;
        boolean filling;

        Title(String path, long dirIno, String name, long ino, String validator, long lastOpenedNanos) {
            this.path = path;
            this.dirIno = dirIno;
            this.name = name;
            this.ino = ino;
            this.validator = validator;
            this.lastOpenedNanos = lastOpenedNanos;
            this.validatedNanos = System.nanoTime();
        }
    }

    private OriginStore(FileSystem fs, Origin origin, OriginConfig config) {
        super(fs);
        this.origin = origin;
        this.config = config;
        this.purger = new Purger(fs, config.highPercent(), config.lowPercent(), metrics);
        this.fetchers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "ext3ns-origin-fill");
            t.setDaemon(true);
            return t;
        });
        this.waiters = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "ext3ns-origin-wait");
            t.setDaemon(true);
            return t;
        });
        dirPaths.put(ROOT_INO, "");
    }

    /**
     * Wraps {@code fs} (open read-write) with the origin {@code config} names: removes partial titles and registers
     * complete ones first (a walk of the volume's directories).
     */
    public static OriginStore open(FileSystem fs, OriginConfig config) throws IOException {
        OriginStore store = new OriginStore(fs, config.open(), config);
        store.scan();
        LOG.info("edge store filling from {} (purge above {}% used, down to {}%)", store.origin.describe(),
                config.highPercent(), config.lowPercent());
        return store;
    }

    /** The ext3ns_origin_* families for the server's /metrics. */
    public OriginMetrics metrics() {
        return metrics;
    }

    /** True when {@code path} is an origin title whose fill finished (tests and the benchmark watch this). */
    public synchronized boolean isComplete(String path) {
        for (Title t : titles.values()) {
            if (t.path.equals(path)) {
                return !t.filling;
            }
        }
        return false;
    }

    /** True when {@code path} is an origin title (complete or filling). */
    public synchronized boolean isOriginTitle(String path) {
        return titles.values().stream().anyMatch(t -> t.path.equals(path));
    }

    private void scan() throws FsException {
        Deque<Long> dirs = new ArrayDeque<>();
        dirs.push(ROOT_INO);
        int walked = 0;
        while (!dirs.isEmpty()) {
            long dir = dirs.pop();
            String dirPath = dirPaths.get(dir);
            if (++walked > 1_000_000) {
                throw new FsException(Errno.E2BIG, "more than a million directories: not scanned for origin titles");
            }
            for (DirEntry e : fs.readdir(dir)) {
                if (e.name().equals(".") || e.name().equals("..")) {
                    continue;
                }
                long ino = e.ino();
                Attr attr = fs.getattr(ino);
                String path = dirPath + "/" + e.name();
                if (attr.isDirectory()) {
                    if (path.chars().filter(c -> c == '/').count() <= MAX_SCAN_DEPTH) {
                        dirPaths.put(ino, path);
                        dirs.push(ino);
                    }
                } else if (attr.isRegular()) {
                    TitleState state = stateOf(ino);
                    if (state == null) {
                        continue;
                    }
                    if (!state.complete()) {
                        LOG.warn("origin: removing partial title {} (its fill did not finish before the last stop)",
                                path);
                        fs.unlink(dir, e.name());
                        continue;
                    }
                    synchronized (this) {
                        titles.put(ino, new Title(path, dir, e.name(), ino, state.validator(),
                                attr.atimeNanos() - System.currentTimeMillis() * 1_000_000L + System.nanoTime()));
                    }
                }
            }
        }
    }

    private TitleState stateOf(long ino) {
        try {
            return TitleState.decode(fs.getxattr(ino, TitleState.XATTR));
        } catch (FsException e) {
            return null; // ENODATA: loaded by hand
        }
    }

    // ---- namespace: a missing name may be at the origin ----

    @Override
    public long lookup(long dirIno, String name) throws FsException {
        long ino;
        try {
            ino = fs.lookup(dirIno, name);
        } catch (FsException e) {
            String parent = dirPaths.get(dirIno);
            if (e.errno() != Errno.ENOENT || parent == null || !eligible(name)) {
                throw e;
            }
            return fill(dirIno, parent + "/" + name, name, e);
        }
        String parent = dirPaths.get(dirIno);
        if (parent != null && !dirPaths.containsKey(ino) && fs.getattr(ino).isDirectory()) {
            dirPaths.put(ino, parent + "/" + name);
        }
        Title stale = staleTitle(ino);
        if (stale != null && parent != null) {
            return revalidate(stale, parent + "/" + name);
        }
        return ino;
    }

    /** Names a player or a tool could mean as a title: not hidden (editor and FUSE temporaries), not too long. */
    private static boolean eligible(String name) {
        return !name.isEmpty() && name.charAt(0) != '.' && name.length() <= 255;
    }

    /** The title {@code ino} if it is complete and due for a check against its origin object. */
    private synchronized Title staleTitle(long ino) {
        Title t = titles.get(ino);
        if (t == null || t.filling || System.nanoTime() - t.validatedNanos < config.revalidate().toNanos()) {
            return null;
        }
        t.validatedNanos = System.nanoTime();
        return t;
    }

    /** Asks the origin whether {@code t} changed; a changed title not open anywhere is removed and filled again. */
    private long revalidate(Title t, String path) throws FsException {
        OriginObject now;
        try {
            now = origin.head(t.path.substring(1));
        } catch (IOException e) {
            LOG.debug("origin: could not check {} ({}); serving the stored copy", t.path, e.getMessage());
            return t.ino;
        }
        if (now != null && now.validator().equals(t.validator)) {
            return t.ino;
        }
        synchronized (this) {
            if (t.opens > 0) {
                return t.ino; // being played: replaced at a later check, when no one has it open
            }
            titles.remove(t.ino);
        }
        LOG.info("origin: {} changed at the origin ({} -> {}); removing the stored copy", t.path, t.validator,
                now == null ? "gone" : now.validator());
        fs.unlink(t.dirIno, t.name);
        if (now == null) {
            throw new FsException(Errno.ENOENT, path + " is no longer at the origin");
        }
        return fill(t.dirIno, path, t.name, new FsException(Errno.ENOENT, path));
    }

    private long fill(long dirIno, String path, String name, FsException missing) throws FsException {
        synchronized (fillLock) {
            try {
                return fs.lookup(dirIno, name); // another request filled it while this one waited
            } catch (FsException e) {
                if (e.errno() != Errno.ENOENT) {
                    throw e;
                }
            }
            Long until = notAtOrigin.get(path);
            if (until != null && until - System.nanoTime() > 0) {
                throw missing;
            }
            OriginObject object;
            try {
                object = origin.head(path.substring(1));
            } catch (FsException e) {
                LOG.warn("origin: cannot get {}: {}", path, e.detail());
                throw e;
            } catch (IOException e) {
                LOG.warn("origin: cannot get {}: {}", path, e.toString());
                throw new UpstreamUnavailableException(e.toString(), e);
            }
            if (object == null) {
                if (notAtOrigin.size() >= MAX_NEGATIVE) {
                    notAtOrigin.clear();
                }
                notAtOrigin.put(path, System.nanoTime() + NEGATIVE_TTL_NANOS);
                throw missing;
            }
            List<Title> purgeable;
            synchronized (this) {
                purgeable = titles.values().stream().filter(t -> t.opens == 0 && !t.filling)
                        .sorted(java.util.Comparator.comparingLong(t -> t.lastOpenedNanos)).toList();
            }
            for (Title gone : purger.makeRoom(object.size(), purgeable)) {
                synchronized (this) {
                    titles.remove(gone.ino);
                }
            }
            long ino = fs.create(dirIno, name, Attr.S_IFREG | 0644, 0, 0);
            try {
                fs.setxattr(ino, TitleState.XATTR, new TitleState(false, object.validator()).encode(),
                        XATTR_CREATE);
                if (object.size() > 0) {
                    FileHandle h = fs.open(ino, true);
                    try {
                        fs.fallocate(h, 0, object.size());
                    } finally {
                        fs.release(h);
                    }
                }
            } catch (FsException e) {
                fs.unlink(dirIno, name);
                throw e.errno() == Errno.ENOSPC
                        ? new UpstreamUnavailableException("no room for " + path + " (" + object.size() + " bytes)", e)
                        : e;
            }
            TitleFill f = new TitleFill(fs, origin, metrics, new Outcome(), path, ino, object);
            Title t = new Title(path, dirIno, name, ino, object.validator(), System.nanoTime());
            t.filling = true;
            synchronized (this) {
                titles.put(ino, t);
            }
            fills.put(ino, f);
            metrics.titlesFetched.increment();
            metrics.misses.increment();
            LOG.info("origin: filling {} ({} bytes) from {}", path, object.size(), origin.describe());
            fetchers.execute(f);
            return ino;
        }
    }

    /** Ends a fill: a complete title is served as any other; a failed one is removed (never left looking whole). */
    private final class Outcome implements TitleFill.Outcome {
        @Override
        public void completed(TitleFill fill) {
            synchronized (OriginStore.this) {
                Title t = titles.get(fill.ino);
                if (t != null) {
                    t.filling = false;
                    t.validatedNanos = System.nanoTime();
                }
            }
            fills.remove(fill.ino, fill);
            LOG.info("origin: {} complete ({} bytes)", fill.path, fill.object.size());
        }

        @Override
        public void failed(TitleFill fill, IOException cause) {
            if (fill.cancelled()) {
                LOG.info("origin: fill of {} stopped by the shutdown; removed at the next start", fill.path);
                return; // the volume is closing: leave the file as it is, marked partial
            }
            metrics.failures.increment();
            Title t;
            synchronized (OriginStore.this) {
                t = titles.remove(fill.ino);
            }
            LOG.warn("origin: fill of {} from {} failed, its partial file is removed: {}", fill.path,
                    origin.describe(), cause.getMessage());
            if (t == null) {
                return;
            }
            try {
                if (fs.lookup(t.dirIno, t.name) == t.ino) {
                    fs.unlink(t.dirIno, t.name);
                }
            } catch (FsException e) {
                if (e.errno() != Errno.ENOENT) { // stays marked partial: removed at the next start
                    LOG.warn("origin: could not remove the partial {}: {}", fill.path, e.getMessage());
                }
            }
        }
    }

    @Override
    public long create(long parentIno, String name, int mode, int uid, int gid) throws FsException {
        long ino = fs.create(parentIno, name, mode, uid, gid);
        forget(ino); // an inode number of a removed title, now a file loaded by hand
        return ino;
    }

    @Override
    public void unlink(long parentIno, String name) throws FsException {
        long ino = -1;
        try {
            ino = fs.lookup(parentIno, name);
        } catch (FsException e) {
            // unlink below says what is wrong
        }
        fs.unlink(parentIno, name);
        if (ino > 0) {
            synchronized (this) {
                Title t = titles.get(ino);
                if (t != null && !t.filling) {
                    titles.remove(ino);
                }
            }
        }
    }

    @Override
    public void rmdir(long parentIno, String name) throws FsException {
        long ino = fs.lookup(parentIno, name);
        fs.rmdir(parentIno, name);
        dirPaths.remove(ino); // its inode number may come back as another directory
    }

    @Override
    public void rename(long srcParentIno, String srcName, long dstParentIno, String dstName) throws FsException {
        long ino = fs.lookup(srcParentIno, srcName);
        fs.rename(srcParentIno, srcName, dstParentIno, dstName);
        if (dirPaths.remove(ino) != null) { // a moved directory: its subtree is walked again under its new path
            dirPaths.keySet().removeIf(d -> d != ROOT_INO);
            dirPaths.put(ROOT_INO, "");
        }
    }

    private void forget(long ino) {
        fills.remove(ino);
        synchronized (this) {
            titles.remove(ino);
        }
    }

    // ---- data: reads wait for the chunks of a title still filling ----

    @Override
    public FileHandle open(long ino, boolean write) throws FsException {
        FileHandle h = fs.open(ino, write);
        synchronized (this) {
            Title t = titles.get(ino);
            if (t != null) {
                t.opens++;
                t.lastOpenedNanos = System.nanoTime();
            }
            if (!write && (t == null || !t.filling)) {
                metrics.hits.increment();
            }
        }
        return h;
    }

    @Override
    public void release(FileHandle handle) throws FsException {
        synchronized (this) {
            Title t = titles.get(handle.ino());
            if (t != null && t.opens > 0) {
                t.opens--;
            }
        }
        fs.release(handle);
    }

    private void awaitData(FileHandle handle, long offset, long length) throws FsException {
        TitleFill f = fills.get(handle.ino());
        if (f != null) {
            if (config.prefix()) {
                f.await(offset, length);
            } else {
                f.await(0, f.object.size()); // plain pull-through: no byte is served before the whole title is in
            }
        }
    }

    @Override
    public int read(FileHandle handle, long offset, ByteBuffer dst) throws FsException {
        awaitData(handle, offset, dst.remaining());
        return fs.read(handle, offset, dst);
    }

    @Override
    public int readDirect(FileHandle handle, long offset, ByteBuffer dst) throws FsException {
        awaitData(handle, offset, dst.remaining());
        return fs.readDirect(handle, offset, dst);
    }

    /**
     * A unit of a title still filling is leased once its bytes are in: the wait runs on a waiter thread (leaseAsync
     * never blocks its caller, the streamer's loop), then the cache reads the unit. A complete title goes straight
     * to the cache.
     */
    @Override
    public CompletableFuture<CachedBlock> leaseAsync(FileHandle handle, long unit) {
        TitleFill f = fills.get(handle.ino());
        if (f == null || f.complete()) {
            return fs.leaseAsync(handle, unit);
        }
        long bytes = fs.cacheUnitBytes();
        return CompletableFuture.runAsync(() -> {
            try {
                awaitData(handle, unit * bytes, bytes);
            } catch (FsException e) {
                throw new CompletionException(e);
            }
        }, waiters).thenCompose(ready -> fs.leaseAsync(handle, unit));
    }

    @Override
    public List<MemberExtent> locateDirect(FileHandle handle, long offset, long length) throws FsException {
        TitleFill f = fills.get(handle.ino());
        if (f != null && !f.complete()) {
            return null; // callers locate on their event loop: never wait there; they read by copy instead
        }
        return fs.locateDirect(handle, offset, length);
    }

    /** Stops the fills (their titles stay partial and are removed at the next start); the volume stays open. */
    @Override
    public void close() throws IOException {
        fills.values().forEach(TitleFill::cancel);
        waiters.shutdown(); // a waiter ends when its fill does (cancelled above)
        // no interrupt: a thread interrupted inside a FileChannel write closes the channel, i.e. the whole volume
        fetchers.shutdown();
        try {
            if (!fetchers.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("origin: fills still running after 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        origin.close();
    }
}
