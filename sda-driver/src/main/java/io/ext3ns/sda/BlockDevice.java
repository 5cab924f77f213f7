package io.ext3ns.sda;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * A byte-addressed device the file system lives on: one plain member (an image file or a block device) or a
 * Stream Disk Array assembled from several members.
 *
 * <p>Every offset, every length and every buffer address handed in must be a multiple of {@link #alignment()}
 * (O_DIRECT members need 512/4096; an array needs whole logical blocks). Buffers from {@link AlignedBuffers} always
 * qualify. Reads and writes are complete or throw: there are no short transfers inside {@link #size()}.
 */
public interface BlockDevice extends Closeable {

    /** Granularity, in bytes, of offsets, lengths and buffer addresses accepted by this device. */
    int alignment();

    /** Usable size in bytes (for an array: the logical size, excluding member labels). */
    long size();

    /** True when opened read-only; writes then fail with {@link java.nio.file.ReadOnlyFileSystemException}. */
    boolean readOnly();

    /** Reads {@code dst.remaining()} bytes at {@code offset} into {@code dst}, advancing its position. */
    void read(long offset, ByteBuffer dst) throws IOException;

    /** Writes {@code src.remaining()} bytes at {@code offset}, advancing its position. */
    void write(long offset, ByteBuffer src) throws IOException;

    /**
     * Starts a read that completes when all bytes have landed in {@code dst}. Arrays pipeline these across members;
     * a plain member may complete synchronously. The buffer must not be touched until the future completes.
     */
    default CompletableFuture<Void> readAsync(long offset, ByteBuffer dst) {
        return completedBy(() -> read(offset, dst));
    }

    /**
     * Starts a write that completes when all bytes are on the device (durable only after {@link #flush()}). Arrays
     * pipeline these across members; a plain member may complete synchronously. Don't touch {@code src} meanwhile.
     */
    default CompletableFuture<Void> writeAsync(long offset, ByteBuffer src) {
        return completedBy(() -> write(offset, src));
    }

    /** Makes all completed writes durable (fdatasync of every member). */
    void flush() throws IOException;

    /** Human-readable name for messages: the member path, or the list of members. */
    String name();

    /**
     * True when {@link #registerBuffers} would register an arena with the kernel (an io_uring engine runs this
     * device); a capability the file system asks for, never a type it tests.
     */
    default boolean canRegisterBuffers() {
        return false;
    }

    /**
     * Registers {@code arena}'s pages as the fixed buffers of this device's I/O rings, so that reads into the arena
     * skip per-request page pinning; true when registered. A device without rings registers nothing. The arena must
     * stay open until this device is closed.
     */
    default boolean registerBuffers(HugePageArena arena) throws IOException {
        return false;
    }

    /**
     * Per member, in member order: requests queued or in flight on it right now (cheap, for metrics scrapes); empty
     * for a device without a pipelined I/O manager.
     */
    default int[] queueDepths() {
        return new int[0];
    }

    /**
     * Per member, in member order: how long its read and write parts took, from submission to completion (for
     * metrics scrapes); empty for a device without member queues.
     */
    default java.util.List<MemberLatency> memberLatencies() {
        return java.util.List.of();
    }

    /**
     * Where the device's bytes [{@code offset}, {@code offset + length}) lie on its members, in order, adjacent
     * pieces on one member merged; or null when this device cannot say (a wrapper, a member with no path). The
     * caller reads the members itself, so it must only ask for bytes no write of this device is still carrying.
     */
    default java.util.List<MemberExtent> locate(long offset, long length) {
        return null;
    }

    /** A blocking transfer, run now. */
    @FunctionalInterface
    interface Transfer {
        void run() throws IOException;
    }

    /** Runs {@code transfer} in the caller's thread and reports it as an already completed future. */
    private static CompletableFuture<Void> completedBy(Transfer transfer) {
        try {
            transfer.run();
            return CompletableFuture.completedFuture(null);
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
