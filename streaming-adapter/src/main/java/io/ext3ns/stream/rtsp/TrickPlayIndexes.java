package io.ext3ns.stream.rtsp;

import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.sda.AlignedBuffers;
import io.ext3ns.stream.content.ContentFile;
import io.ext3ns.stream.index.KeyframeScanner;
import io.ext3ns.stream.index.KeyframeTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Key frame tables of the files played with a Scale, kept like the seek index ({@code PcrIndexCache}): in memory,
 * keyed by (inode, mtime, size), built by a scan on {@code scanner} the first time a file is trick-played, least
 * recently used out beyond {@code capacity}. Built only on demand: most sessions never ask for a Scale.
 */
final class TrickPlayIndexes {
    private record Key(long ino, long mtimeNanos, long size) {
    }

    private static final int SCAN_BYTES = 1 << 20;

    private final FileSystem fs;
    private final Executor scanner;
    private final int capacity;
    private final Map<Key, CompletableFuture<KeyframeTable>> entries = new LinkedHashMap<>(16, 0.75f, true);

    TrickPlayIndexes(FileSystem fs, Executor scanner, int capacity) {
        this.fs = fs;
        this.scanner = scanner;
        this.capacity = capacity;
    }

    CompletableFuture<KeyframeTable> get(ContentFile file) {
        Key key = new Key(file.ino(), file.mtimeNanos(), file.size());
        synchronized (entries) {
            CompletableFuture<KeyframeTable> entry = entries.get(key);
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

    private KeyframeTable scan(ContentFile file) throws IOException {
        int block = fs.blockSize();
        int bytes = Math.max(block, SCAN_BYTES / block * block);
        ByteBuffer buf = AlignedBuffers.allocate(bytes);
        KeyframeScanner scanner = new KeyframeScanner();
        FileHandle handle = fs.open(file.ino(), false);
        try {
            long at = 0;
            while (at < file.size()) {
                buf.clear();
                int n = fs.readDirect(handle, at, buf);
                if (n <= 0) {
                    break;
                }
                at += n;
                scanner.feed(buf.clear().limit(n));
                if (n < bytes) {
                    break;
                }
            }
        } finally {
            fs.release(handle);
        }
        return scanner.build();
    }
}
