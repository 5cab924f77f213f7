package io.ext3ns.sda;

import io.ext3ns.sda.uring.LinuxCalls;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A region of anonymous memory backed by transparent huge pages (mmap + madvise(MADV_HUGEPAGE), touched once so the
 * pages exist), from which page-aligned buffers are carved. Two costs of O_DIRECT fall with it: with the io_uring
 * engine the array registers the arena, so its pages are pinned once instead of at every request (READ_FIXED /
 * WRITE_FIXED); with any engine, pinning a 2 MiB page is one step instead of 512.
 *
 * <p>Carving is a bump allocator: buffers live as long as the arena (the streaming pool and benchmark readers carve
 * their units once). Close the arena only after every array that registered it is closed and no carved buffer is
 * used any more: its memory is unmapped.
 */
public final class HugePageArena implements Closeable {
    /** The transparent huge page size on x86-64 and arm64 (4 KiB base pages). */
    public static final long HUGE_PAGE = 2L << 20;

    private final long address;
    private final long size;
    private final AtomicInteger registrations = new AtomicInteger();
    private long carved;
    private boolean closed;
    /** Set by {@link #closeWhenUnregistered()}: the last array to unregister unmaps the arena. */
    private boolean closeOnUnregister;

    private HugePageArena(long address, long size) {
        this.address = address;
        this.size = size;
    }

    /**
     * Maps an arena of at least {@code bytes} (rounded up to whole huge pages). Where the kernel has no
     * transparent huge pages the arena still works, on 4 KiB pages ({@link #hugePageBytes()} tells).
     */
    public static HugePageArena allocate(long bytes) throws IOException {
        if (bytes <= 0 || bytes > (1L << 40)) {
            throw new IllegalArgumentException("arena size out of range: " + bytes);
        }
        long size = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
        LinuxCalls.LibC libc = LinuxCalls.libc();
        // One extra huge page so that the arena can start on a huge page boundary.
        long mapped = LinuxCalls.mmap(size + HUGE_PAGE, LinuxCalls.PROT_READ | LinuxCalls.PROT_WRITE,
                LinuxCalls.MAP_PRIVATE | LinuxCalls.MAP_ANONYMOUS, -1, 0);
        if (mapped == LinuxCalls.MAP_FAILED) {
            throw new IOException("cannot map a " + size + "-byte buffer arena: "
                    + LinuxCalls.describe(LinuxCalls.errno()));
        }
        long start = (mapped + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
        if (start > mapped) {
            libc.munmap(mapped, start - mapped);
        }
        long end = start + size;
        long mappedEnd = mapped + size + HUGE_PAGE;
        if (mappedEnd > end) {
            libc.munmap(end, mappedEnd - end);
        }
        // Advice before the first touch: a fault then allocates a whole huge page (no MAP_POPULATE, which would
        // have faulted 4 KiB pages in before the advice).
        libc.madvise(start, size, LinuxCalls.MADV_HUGEPAGE);
        ByteBuffer view = LinuxCalls.view(start, (int) Math.min(size, Integer.MAX_VALUE));
        for (long at = 0; at < size; at += AlignedBuffers.PAGE) {
            if (at < Integer.MAX_VALUE) {
                view.put((int) at, (byte) 0);
            } else {
                LinuxCalls.view(start + at, 1).put(0, (byte) 0);
            }
        }
        return new HugePageArena(start, size);
    }

    /** Bytes of the arena. */
    public long size() {
        return size;
    }

    /** Native address of the arena's first byte. */
    long address() {
        return address;
    }

    /** Bytes not yet carved. */
    public synchronized long remaining() {
        return size - carved;
    }

    /** A {@code size}-byte buffer at the next {@code alignment} boundary (a power of two, at least 4096). */
    public synchronized ByteBuffer carve(int size, int alignment) {
        if (alignment < AlignedBuffers.PAGE || Integer.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment must be a power of two of at least 4096: " + alignment);
        }
        if (closed) {
            throw new IllegalStateException("the arena is closed");
        }
        long at = (carved + alignment - 1) / alignment * alignment;
        if (size < 0 || at + size > this.size) {
            throw new IllegalArgumentException("the " + this.size + "-byte arena has " + (this.size - carved)
                    + " bytes left, not " + size + " aligned to " + alignment);
        }
        carved = at + size;
        return LinuxCalls.view(address + at, size);
    }

    /** A page-aligned {@code size}-byte buffer. */
    public ByteBuffer carve(int size) {
        return carve(size, AlignedBuffers.PAGE);
    }

    /** True when {@code length} bytes at native address {@code at} lie inside the arena. */
    boolean contains(long at, long length) {
        return at >= address && length >= 0 && at + length <= address + size;
    }

    void registered() {
        registrations.incrementAndGet();
    }

    void unregistered() {
        if (registrations.decrementAndGet() == 0) {
            synchronized (this) {
                if (closeOnUnregister) {
                    close();
                }
            }
        }
    }

    /**
     * Bytes of the arena the kernel backs with huge pages now (AnonHugePages of its mapping in /proc/self/smaps),
     * or -1 where that cannot be read: what shows that the advice took.
     */
    public long hugePageBytes() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
            boolean inside = false;
            long total = 0;
            for (String line : lines) {
                int dash = line.indexOf('-');
                int space = line.indexOf(' ');
                if (dash > 0 && space > dash && line.substring(0, dash).matches("[0-9a-f]+")) {
                    long from = Long.parseUnsignedLong(line.substring(0, dash), 16);
                    long to = Long.parseUnsignedLong(line.substring(dash + 1, space), 16);
                    inside = from < address + size && to > address;
                } else if (inside && line.startsWith("AnonHugePages:")) {
                    total += Long.parseLong(line.replaceAll("[^0-9]", "")) << 10;
                }
            }
            return total;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * For an owner that cannot order its close after the arrays' (a streaming pool over a file system it does not
     * own): unmaps the arena now, or, while an array still has it registered, when the last such array closes.
     * Carved buffers stay mapped until then, but the owner should treat them as gone.
     */
    public synchronized void closeWhenUnregistered() {
        if (registrations.get() > 0) {
            closeOnUnregister = true;
        } else {
            close();
        }
    }

    /** Unmaps the arena; refused while an array still has it registered. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        if (registrations.get() > 0) {
            throw new IllegalStateException("the arena is still registered with an open array; close it first");
        }
        closed = true;
        LinuxCalls.libc().munmap(address, size);
    }
}
