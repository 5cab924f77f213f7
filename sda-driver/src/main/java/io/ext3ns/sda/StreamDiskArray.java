package io.ext3ns.sda;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.ReadOnlyFileSystemException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Stream Disk Array: the logical device over labelled members, with the pipelined I/O manager.
 *
 * <p>A request is cut per logical block and per member ({@link ArrayGeometry}); each part goes to its member's
 * {@link MemberQueue} and lands straight in its slice of the caller's buffer, so a page-aligned direct buffer
 * (from {@link AlignedBuffers}) is read with no copy. Heap or unaligned buffers still work, through one bounce copy.
 * Offsets and lengths must be multiples of {@link #alignment()}, the logical block size.
 *
 * <p>Futures complete on a member I/O thread: keep dependent actions short or use the {@code ...Async} variants.
 * Blocking calls ({@link #read}, {@link #write}, {@link #flush}) from such a callback are refused with an
 * {@link IllegalStateException} rather than risk the thread waiting for itself.
 * A failing member fails only the requests with a part on it, with a {@link MemberIoException} naming it.
 */
public final class StreamDiskArray implements BlockDevice {
    private static final Logger LOG = LoggerFactory.getLogger(StreamDiskArray.class);
    /** Member requests in flight per member: issue the next part while one is being served. */
    public static final int DEFAULT_IN_FLIGHT = 2;

    private final UUID id;
    private final ArrayGeometry geometry;
    private final List<? extends MemberIo> members;
    private final MemberQueue[] queues;
    /** Per member, in member order: how long its reads and writes took (for metrics). */
    private final MemberRequestTimes[] times;
    /** The io_uring engines (one per array, or one per member), empty on the thread engine. */
    private final List<UringEngine> rings;
    private final IoEngine engine;
    private final boolean readOnly;
    private final String name;

    StreamDiskArray(UUID id, ArrayGeometry geometry, List<? extends MemberIo> members, boolean readOnly,
                    int inFlightPerMember, IoEngine engine, UringEngine.RingOpener opener) {
        this.id = id;
        this.geometry = geometry;
        this.members = List.copyOf(members);
        this.readOnly = readOnly;
        this.name = geometry.layout() + "[" + String.join(",", memberNames()) + "]";
        this.queues = new MemberQueue[members.size()];
        this.times = new MemberRequestTimes[members.size()];
        Arrays.setAll(times, i -> new MemberRequestTimes());
        this.rings = engine.usesRing() ? startRings(engine, inFlightPerMember, opener) : List.of();
        this.engine = rings.isEmpty() ? IoEngine.THREADS : engine;
        for (int i = 0; i < queues.length; i++) {
            if (queues[i] == null) {
                queues[i] = new ThreadMemberQueue(members.get(i), inFlightPerMember, "sda-m" + i);
            }
        }
    }

    /**
     * Starts the io_uring engine(s) over the members that have a native descriptor and fills their queues in;
     * where the kernel refuses, says so in one line and returns none (the members then get threads).
     */
    private List<UringEngine> startRings(IoEngine engine, int inFlightPerMember, UringEngine.RingOpener opener) {
        List<UringEngine> started = new ArrayList<>();
        try {
            if (engine == IoEngine.URING_MEMBER) {
                for (int i = 0; i < queues.length; i++) {
                    if (members.get(i).nativeDescriptor() >= 0) {
                        UringEngine ring = new UringEngine(name + "/m" + i, List.of(members.get(i)),
                                inFlightPerMember, opener);
                        started.add(ring);
                        queues[i] = ring.queueFor(0);
                    }
                }
            } else if (members.stream().anyMatch(m -> m.nativeDescriptor() >= 0)) {
                UringEngine ring = new UringEngine(name, members, inFlightPerMember, opener);
                started.add(ring);
                for (int i = 0; i < queues.length; i++) {
                    queues[i] = ring.queueFor(i);
                }
            }
            return started;
        } catch (IOException e) {
            started.forEach(UringEngine::close);
            Arrays.fill(queues, null);
            LOG.warn("{}: io_uring unavailable ({}); using the thread engine", name, e.getMessage());
            return List.of();
        }
    }

    /**
     * Member transfers the io_uring engine issued so far: {with registered buffers (READ_FIXED/WRITE_FIXED), plain};
     * zeros on the thread engine. Shows whether callers' buffers really come from a registered arena.
     */
    public long[] uringTransferCounts() {
        long[] sum = new long[2];
        for (UringEngine ring : rings) {
            long[] counts = ring.transferCounts();
            sum[0] += counts[0];
            sum[1] += counts[1];
        }
        return sum;
    }

    /** The engine serving this array's members: the io_uring one asked for when its ring(s) run, else threads. */
    public IoEngine engine() {
        return engine;
    }

    /** True when {@link #registerBuffers} would register an arena (an io_uring engine runs this array). */
    @Override
    public boolean canRegisterBuffers() {
        return !rings.isEmpty();
    }

    /**
     * Registers {@code arena} with the io_uring engine: parts whose buffer lies inside it then go as
     * READ_FIXED/WRITE_FIXED, their pages pinned once here instead of at every request. Returns false (and does
     * nothing) on the thread engine; the arena's huge pages still make every request's page pinning cheaper there.
     * The arena must stay open until this array is closed.
     */
    @Override
    public boolean registerBuffers(HugePageArena arena) throws IOException {
        for (UringEngine ring : rings) {
            ring.register(arena);
        }
        return canRegisterBuffers();
    }

    /** The array UUID every member label carries. */
    public UUID id() {
        return id;
    }

    public ArrayGeometry geometry() {
        return geometry;
    }

    public List<String> memberNames() {
        return members.stream().map(MemberIo::name).toList();
    }

    /**
     * Per member, in member order: requests queued or in flight on it right now (the pipelined I/O manager's
     * backlog). Cheap (one atomic read per member), for metrics scrapes.
     */
    @Override
    public int[] queueDepths() {
        int[] depths = new int[queues.length];
        for (int i = 0; i < queues.length; i++) {
            depths[i] = queues[i].depth();
        }
        return depths;
    }

    /**
     * Per member, in member order: how long its read and write parts took since the array opened, from submission
     * to the array until the member completed them (queueing included). Cheap (a few atomic reads), for metrics.
     */
    @Override
    public List<MemberLatency> memberLatencies() {
        List<MemberLatency> out = new ArrayList<>(times.length);
        for (int i = 0; i < times.length; i++) {
            out.add(times[i].snapshot(i));
        }
        return out;
    }

    /** Whole blocks only (offset and length multiples of the block size); null if a member has no path. */
    @Override
    public List<MemberExtent> locate(long offset, long length) {
        int blockSize = geometry.blockSize();
        if (offset < 0 || length <= 0 || offset % blockSize != 0 || length % blockSize != 0
                || offset + length > size()) {
            throw new IllegalArgumentException(name + ": cannot locate " + length + " bytes at " + offset);
        }
        for (MemberIo m : members) {
            if (m.path() == null) {
                return null;
            }
        }
        List<MemberExtent> out = new java.util.ArrayList<>();
        for (long block = offset / blockSize, end = (offset + length) / blockSize; block < end; block++) {
            geometry.mapBlock(block, (member, memberOffset, inBlock, partLength) -> {
                java.nio.file.Path path = members.get(member).path();
                int last = out.size() - 1;
                if (last >= 0 && out.get(last).member().equals(path)
                        && out.get(last).offset() + out.get(last).length() == memberOffset) {
                    out.set(last, new MemberExtent(path, out.get(last).offset(), out.get(last).length() + partLength));
                } else {
                    out.add(new MemberExtent(path, memberOffset, partLength));
                }
            });
        }
        return out;
    }

    /** The logical block size: every offset and length must be a multiple of it. */
    @Override
    public int alignment() {
        return geometry.blockSize();
    }

    @Override
    public long size() {
        return geometry.size();
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    @Override
    public CompletableFuture<Void> readAsync(long offset, ByteBuffer dst) {
        return transfer(PartIo.Kind.READ, offset, dst);
    }

    /** Starts a write that completes when every part is on its member (not yet durable: see {@link #flush()}). */
    public CompletableFuture<Void> writeAsync(long offset, ByteBuffer src) {
        if (readOnly) {
            return CompletableFuture.failedFuture(new ReadOnlyFileSystemException());
        }
        return transfer(PartIo.Kind.WRITE, offset, src);
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        await(readAsync(offset, dst));
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        if (readOnly) {
            throw new ReadOnlyFileSystemException();
        }
        await(writeAsync(offset, src));
    }

    /** fdatasync of every member, in parallel through the member queues. */
    @Override
    public void flush() throws IOException {
        if (readOnly) {
            return;
        }
        ArrayRequest request = new ArrayRequest(queues.length, () -> { });
        for (MemberQueue queue : queues) {
            queue.submit(new PartIo(PartIo.Kind.SYNC, 0, null, request, null));
        }
        await(request.future());
    }

    private CompletableFuture<Void> transfer(PartIo.Kind kind, long offset, ByteBuffer caller) {
        int length = caller.remaining();
        int blockSize = geometry.blockSize();
        if (offset % blockSize != 0 || length % blockSize != 0) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(name + ": offset " + offset
                    + " and length " + length + " must be multiples of the array block size " + blockSize));
        }
        if (offset < 0 || offset + length > size()) {
            return CompletableFuture.failedFuture(new EOFException(name + ": I/O at offset " + offset + " length "
                    + length + " is outside the array (" + size() + " bytes)"));
        }
        if (length == 0) {
            return CompletableFuture.completedFuture(null);
        }
        ByteBuffer io = AlignedBuffers.isAligned(caller) ? caller : bounceFor(kind, caller);
        int base = io.position();
        Runnable onSuccess = () -> {
            if (io != caller && kind == PartIo.Kind.READ) {
                caller.put(io.duplicate().position(base).limit(base + length));
            } else {
                caller.position(caller.position() + length);
            }
        };
        int blocks = length / blockSize;
        ArrayRequest request = new ArrayRequest(blocks * geometry.partsPerBlock(), onSuccess);
        long firstBlock = offset / blockSize;
        for (int k = 0; k < blocks; k++) {
            int blockStart = base + k * blockSize;
            geometry.mapBlock(firstBlock + k, (member, memberOffset, inBlock, partLength) -> queues[member].submit(
                    new PartIo(kind, memberOffset, io.slice(blockStart + inBlock, partLength), request,
                            times[member])));
        }
        return request.future();
    }

    /** An aligned stand-in for a heap or unaligned caller buffer (holding the data, for a write). */
    private static ByteBuffer bounceFor(PartIo.Kind kind, ByteBuffer caller) {
        ByteBuffer bounce = AlignedBuffers.allocate(caller.remaining());
        if (kind == PartIo.Kind.WRITE) {
            bounce.put(caller.duplicate()).clear();
        }
        return bounce;
    }

    private static void await(CompletableFuture<Void> future) throws IOException {
        if (Thread.currentThread() instanceof ArrayIoThread) {
            throw new IllegalStateException("blocking array I/O from an array I/O thread (a completion callback) "
                    + "could wait for itself; use readAsync/writeAsync or a ...Async callback");
        }
        try {
            future.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IOException(cause);
        }
    }

    @Override
    public String name() {
        return name;
    }

    /** Lets queued requests finish, then closes (and unlocks) every member. */
    @Override
    public void close() throws IOException {
        for (MemberQueue queue : queues) {
            queue.close();
        }
        IOException first = null;
        for (MemberIo member : members) {
            try {
                member.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
