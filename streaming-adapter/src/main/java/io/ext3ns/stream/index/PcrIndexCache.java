package io.ext3ns.stream.index;

import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.sda.AlignedBuffers;
import io.ext3ns.stream.content.ContentFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * Seek indexes of the files being served, kept in memory and keyed by (inode, mtime, size): a file is scanned the
 * first time it is described or played, and again only when it changed (any write moves mtime or size, so a stale
 * index is never used). Chosen over a sidecar file because the server may serve a read-only store, a sidecar would
 * show up in the namespace users copy files into, and a scan runs at disk speed (a 10 s, 2.5 MB asset in
 * milliseconds; about 20 s for an hour at 10 Mbit/s). Scans run on the given executor, never on the caller's
 * thread, so the event loop goes on serving others while a long title is indexed. A scan's failure (not MPEG-TS)
 * is kept like an index: the same unchanged file fails the same way. Least recently used entries beyond
 * {@code capacity} go.
 */
public final class PcrIndexCache {
    private record Key(long ino, long mtimeNanos, long size) {
    }

    /** Bytes read per fast-path read while scanning (rounded up to whole blocks). */
    private static final int SCAN_BYTES = 1 << 20;

    private final FileSystem fs;
    private final Executor scanner;
    private final int capacity;
    private final Map<Key, CompletableFuture<PcrIndex>> entries;

    public PcrIndexCache(FileSystem fs, Executor scanner, int capacity) {
        this.fs = fs;
        this.scanner = scanner;
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true);
    }

    /**
     * The index of {@code file}: complete if cached, else completing when the scan started now (or by an earlier
     * caller) ends; fails with {@link InvalidTransportStreamException} or the read error.
     */
    public CompletableFuture<PcrIndex> get(ContentFile file) {
        Key key = new Key(file.ino(), file.mtimeNanos(), file.size());
        synchronized (entries) {
            CompletableFuture<PcrIndex> entry = entries.get(key);
            if (entry == null) {
                entry = CompletableFuture.supplyAsync(() -> {
                    try {
                        return scan(file);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }, scanner);
                entries.put(key, entry);
                if (entries.size() > capacity) {
                    var eldest = entries.keySet().iterator();
                    eldest.next();
                    eldest.remove();
                }
            }
            return entry;
        }
    }

    /**
     * Reads the whole file through the block cache (the scan warms it for the stream that asked, and reads nothing a
     * FUSE reader or another viewer already brought in) into the index builder.
     */
    private PcrIndex scan(ContentFile file) throws IOException {
        int block = fs.blockSize();
        int bytes = Math.max(block, SCAN_BYTES / block * block);
        ByteBuffer buf = AlignedBuffers.allocate(bytes);
        PcrIndexBuilder builder = new PcrIndexBuilder();
        FileHandle handle = fs.open(file.ino(), false);
        try {
            long at = 0;
            while (at < file.size()) {
                buf.clear();
                int n = fs.read(handle, at, buf);
                if (n <= 0) {
                    break;
                }
                at += n;
                builder.feed(buf.clear().limit(n));
                if (n < bytes) {
                    break;
                }
            }
        } finally {
            fs.release(handle);
        }
        return builder.build();
    }

    /** What made an index future fail, under the CompletionException and UncheckedIOException wrapping it. */
    public static Throwable rootCause(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof UncheckedIOException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
