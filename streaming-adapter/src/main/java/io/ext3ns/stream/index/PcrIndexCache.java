package io.ext3ns.stream.index;

import io.ext3ns.stream.server.ChunkSource;
import io.ext3ns.stream.server.ContentFile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Seek indexes of the files being served, kept in memory and keyed by (inode, mtime, size): a file is scanned the
 * first time it is described or played, and again only when it changed (any write moves mtime or size, so a stale
 * index is never used). Chosen over a sidecar file because the server may serve a read-only store, a sidecar would
 * show up in the namespace users copy files into, and a scan runs at disk speed (a 10 s, 2.5 MB asset in
 * milliseconds; about 20 s for an hour at 10 Mbit/s). Least recently used entries beyond {@code capacity} go.
 */
public final class PcrIndexCache {
    private record Key(long ino, long mtimeNanos, long size) {
    }

    private final int capacity;
    private final Map<Key, PcrIndex> entries;

    public PcrIndexCache(int capacity) {
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true);
    }

    /** The index of {@code file}, scanning it through {@code chunks} if not cached. */
    public PcrIndex get(ContentFile file, ChunkSource chunks) throws IOException {
        Key key = new Key(file.ino(), file.mtimeNanos(), file.size());
        synchronized (entries) {
            PcrIndex cached = entries.get(key);
            if (cached != null) {
                return cached;
            }
        }
        PcrIndex built = scan(file, chunks);
        synchronized (entries) {
            entries.put(key, built);
            if (entries.size() > capacity) {
                var eldest = entries.keySet().iterator();
                eldest.next();
                eldest.remove();
            }
        }
        return built;
    }

    private static PcrIndex scan(ContentFile file, ChunkSource chunks) throws IOException {
        PcrIndexBuilder builder = new PcrIndexBuilder();
        try (ChunkSource.Reader reader = chunks.reader(file)) {
            for (long at = 0; at < file.size(); ) {
                ByteBuffer chunk = reader.chunkAt(at);
                if (!chunk.hasRemaining()) {
                    break;
                }
                at += chunk.remaining();
                builder.feed(chunk);
            }
        }
        return builder.build();
    }
}
