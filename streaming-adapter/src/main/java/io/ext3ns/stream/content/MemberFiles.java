package io.ext3ns.stream.content;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * The store's member files opened read-only (buffered, through the page cache) once per server, for sendfile of
 * HTTP bodies: the kernel sends their pages to the socket without a copy into user space, as nginx does from its
 * file system. Positional transfers on one channel are safe from any thread.
 */
public final class MemberFiles implements Closeable {
    private final Map<Path, FileChannel> open = new HashMap<>();
    private final Map<Path, Long> sizes = new HashMap<>();
    private boolean closed;
    private final java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();

    /** Counts {@code bytes} handed to sendfile. */
    public void countSent(long bytes) {
        sent.addAndGet(bytes);
    }

    /** Body bytes sent with sendfile from the members so far. */
    public long sentBytes() {
        return sent.get();
    }

    /** The channel of {@code member}, opened on first use. */
    public synchronized FileChannel channel(Path member) throws IOException {
        if (closed) {
            throw new IOException("server closed");
        }
        FileChannel ch = open.get(member);
        if (ch == null) {
            ch = FileChannel.open(member, StandardOpenOption.READ);
            open.put(member, ch);
            sizes.put(member, ch.size()); // members do not change size while a volume is open
        }
        return ch;
    }

    /** The size of {@code member} when it was opened here. */
    public synchronized long size(Path member) throws IOException {
        channel(member);
        return sizes.get(member);
    }

    @Override
    public synchronized void close() throws IOException {
        closed = true;
        for (FileChannel ch : open.values()) {
            ch.close();
        }
        open.clear();
        sizes.clear();
    }
}
