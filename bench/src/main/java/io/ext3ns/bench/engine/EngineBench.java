package io.ext3ns.bench.engine;

import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.engine.EngineOptions;
import io.ext3ns.fs.engine.Ext3FileSystem;
import io.ext3ns.fs.format.FormatSpec;
import io.ext3ns.fs.format.VolumeFormatter;
import io.ext3ns.fs.inspect.FileFragmentation;
import io.ext3ns.sda.AlignedBuffers;
import io.ext3ns.sda.FileMember;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Engine benchmark: the read paths against each other on one freshly formatted image, in one run — legacy buffered
 * reads in 128 KiB requests (FUSE's size) without read-ahead (the peer), with read-ahead, and the zero-copy fast path
 * in whole blocks — plus buffered write throughput and the run count of files written concurrently.
 *
 * <p>Usage: {@code EngineBench IMAGE [blockSizeKiB=1024] [fileMiB=1024] [writers=4]}. The image is created
 * (sparse) and formatted; it is deleted afterwards.
 */
public final class EngineBench {
    private static final int REQUEST = 128 << 10;
    private static final java.lang.management.ThreadMXBean CPU =
            java.lang.management.ManagementFactory.getThreadMXBean();
    /** CPU seconds per GiB of the reading thread in the last timed read (robust to a loaded machine). */
    private static double lastCpuPerGiB;

    private EngineBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: ext3ns-bench-engine IMAGE [blockSizeKiB=1024] [fileMiB=1024] [writers=4]");
            System.exit(2);
        }
        Path img = Path.of(args[0]);
        int bs = (args.length > 1 ? Integer.parseInt(args[1]) : 1024) << 10;
        long fileBytes = (args.length > 2 ? Long.parseLong(args[2]) : 1024) << 20;
        int writers = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        long imageBytes = (writers + 2) * fileBytes + (256L << 20);
        try {
            try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
                f.setLength(imageBytes);
            }
            try (FileMember dev = new FileMember(img, false)) {
                VolumeFormatter.format(dev, FormatSpec.builder().blockSize(bs).build());
            }
            run(img, bs, fileBytes, writers);
        } finally {
            Files.deleteIfExists(img);
        }
    }

    private static void run(Path img, int bs, long fileBytes, int writers) throws Exception {
        System.out.printf("engine bench: %d KiB blocks, %d MiB files, %d concurrent writers, image %s%n",
                bs >> 10, fileBytes >> 20, writers, img);
        EngineOptions base = EngineOptions.defaults().withCaches(64L << 20, 256L << 20);
        List<Long> inos = new ArrayList<>();
        double writeMBs;
        try (Ext3FileSystem fs = Ext3FileSystem.open(new FileMember(img, false), base)) {
            for (int i = 0; i < writers; i++) {
                inos.add(fs.create(FileSystem.ROOT_INO, "w" + i, 0644, 0, 0));
            }
            long t0 = System.nanoTime();
            ExecutorService pool = Executors.newFixedThreadPool(writers);
            List<Future<?>> jobs = new ArrayList<>();
            for (long ino : inos) {
                jobs.add(pool.submit(() -> {
                    byte[] chunk = new byte[REQUEST];
                    new Random(ino).nextBytes(chunk);
                    FileHandle h = fs.open(ino, true);
                    for (long off = 0; off < fileBytes; off += REQUEST) {
                        fs.write(h, off, ByteBuffer.wrap(chunk));
                    }
                    fs.release(h);
                    return null;
                }));
            }
            for (Future<?> j : jobs) {
                j.get();
            }
            pool.shutdown();
            fs.sync();
            writeMBs = mbps(writers * fileBytes, System.nanoTime() - t0);
            System.out.printf("buffered write, %d writers x 128 KiB requests: %.0f MB/s%n", writers, writeMBs);
            for (long ino : inos) {
                FileFragmentation f = FileFragmentation.of(fs.dataBlocks(ino));
                System.out.printf("  inode %d: %d data blocks in %d runs%n", ino, f.dataBlocks(), f.runCount());
            }
        }
        long ino = inos.get(0);
        double peer = readLegacy(img, base.withReadAhead(0), ino, fileBytes);
        double peerCpu = lastCpuPerGiB;
        double ahead = readLegacy(img, base.withReadAhead(8), ino, fileBytes);
        double aheadCpu = lastCpuPerGiB;
        double fast = readFast(img, base, ino, fileBytes, bs);
        double fastCpu = lastCpuPerGiB;
        System.out.println("read path                                   MB/s   ratio   reader CPU s/GiB");
        System.out.printf("legacy, 128 KiB requests, no read-ahead   %6.0f   1.00x   %.2f  (peer)%n", peer, peerCpu);
        System.out.printf("legacy, 128 KiB requests, read-ahead 8    %6.0f   %.2fx   %.2f%n", ahead, ahead / peer,
                aheadCpu);
        System.out.printf("fast path readDirect, %4d KiB requests   %6.0f   %.2fx   %.2f%n", bs >> 10, fast,
                fast / peer, fastCpu);
    }

    /** One read request at {@code offset} into {@code buf}. */
    @FunctionalInterface
    private interface Reader {
        void read(Ext3FileSystem fs, FileHandle h, long offset, ByteBuffer buf) throws Exception;
    }

    private static double readLegacy(Path img, EngineOptions o, long ino, long bytes) throws Exception {
        return timeRead(img, o, ino, bytes, ByteBuffer.allocate(REQUEST), (fs, h, off, buf) -> fs.read(h, off, buf));
    }

    private static double readFast(Path img, EngineOptions o, long ino, long bytes, int bs) throws Exception {
        return timeRead(img, o, ino, bytes, AlignedBuffers.allocate(bs),
                (fs, h, off, buf) -> fs.readDirect(h, off, buf));
    }

    /** Reads the whole file sequentially in {@code buf}-sized requests on a fresh read-only open; MB/s. */
    private static double timeRead(Path img, EngineOptions o, long ino, long bytes, ByteBuffer buf, Reader reader)
            throws Exception {
        try (Ext3FileSystem fs = Ext3FileSystem.open(new FileMember(img, true), o.withReadOnly(true))) {
            FileHandle h = fs.open(ino, false);
            long t0 = System.nanoTime();
            long cpu0 = CPU.getCurrentThreadCpuTime();
            for (long off = 0; off < bytes; off += buf.capacity()) {
                reader.read(fs, h, off, buf.clear());
            }
            double r = mbps(bytes, System.nanoTime() - t0);
            lastCpuPerGiB = (CPU.getCurrentThreadCpuTime() - cpu0) / 1e9 / (bytes / (double) (1L << 30));
            fs.release(h);
            return r;
        }
    }

    private static double mbps(long bytes, long nanos) {
        return bytes / 1e6 / (nanos / 1e9);
    }
}
