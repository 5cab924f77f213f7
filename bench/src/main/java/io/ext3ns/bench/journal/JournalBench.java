package io.ext3ns.bench.journal;

import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.engine.EngineOptions;
import io.ext3ns.fs.engine.Ext3FileSystem;
import io.ext3ns.fs.format.FormatSpec;
import io.ext3ns.fs.format.VolumeFormatter;
import io.ext3ns.sda.FileMember;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Journal benchmark: metadata operations (create, rename, unlink of empty files) per second and bytes written to
 * the device per operation, on a volume formatted with a journal against the same volume formatted without one (the
 * peer), at 4 KiB and 1 MiB blocks, committing after every operation (fsync-heavy) and after every 64 (batched).
 *
 * <p>Usage: {@code JournalBench DIR [files at 4 KiB=500] [files at 1 MiB=60]}: images are created in DIR (use a real
 * disk, not tmpfs) and deleted afterwards. Each file gives three operations.
 */
public final class JournalBench {
    private static final int[] BATCHES = {1, 64};

    private JournalBench() {
    }

    /** One measured run. */
    private record Result(long ops, double seconds, long bytes, long flushes) {
        double opsPerSecond() {
            return ops / seconds;
        }

        double kibPerOp() {
            return bytes / 1024.0 / ops;
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: ext3ns-bench-journal DIR [files at 4 KiB=500] [files at 1 MiB=60]");
            System.exit(2);
        }
        Path dir = Files.createDirectories(Path.of(args[0]));
        int files4k = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        int files1m = args.length > 2 ? Integer.parseInt(args[2]) : 60;
        System.out.println("| block | commit every | journal ops/s | no-journal ops/s | ops/s ratio"
                + " | journal KiB/op | no-journal KiB/op | bytes ratio | journal flushes/op |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        bench(dir, 4096, 512L << 20, files4k);
        bench(dir, 1 << 20, 4L << 30, files1m);
    }

    private static void bench(Path dir, int blockSize, long imageBytes, int files) throws Exception {
        for (int batch : BATCHES) {
            Result journal = run(dir.resolve("journal.img"), blockSize, imageBytes, 1024, files, batch);
            Result plain = run(dir.resolve("plain.img"), blockSize, imageBytes, 0, files, batch);
            System.out.printf("| %s | %d op%s | %.0f | %.0f | %.2f | %.0f | %.0f | %.2f | %.2f |%n",
                    blockSize >= 1 << 20 ? (blockSize >> 20) + " MiB" : (blockSize >> 10) + " KiB", batch,
                    batch == 1 ? "" : "s", journal.opsPerSecond(), plain.opsPerSecond(),
                    journal.opsPerSecond() / plain.opsPerSecond(), journal.kibPerOp(), plain.kibPerOp(),
                    (double) journal.bytes() / plain.bytes(), (double) journal.flushes() / journal.ops());
        }
    }

    /** Formats a fresh image, mounts it through a counting device and times the operations (mount excluded). */
    private static Result run(Path img, int blockSize, long imageBytes, long journalBlocks, int files, int batch)
            throws Exception {
        try {
            try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
                f.setLength(imageBytes);
            }
            FormatSpec spec = FormatSpec.builder().blockSize(blockSize).uuid(UUID.randomUUID())
                    .journalBlocks(journalBlocks).build();
            try (FileMember dev = new FileMember(img, false)) {
                VolumeFormatter.format(dev, spec);
            }
            CountingDevice dev = new CountingDevice(new FileMember(img, false));
            try (Ext3FileSystem fs = Ext3FileSystem.open(dev, EngineOptions.defaults())) {
                fs.sync();
                long bytes0 = dev.bytesWritten.get();
                long flushes0 = dev.flushes.get();
                long t0 = System.nanoTime();
                long ops = workload(fs, files, batch);
                double seconds = (System.nanoTime() - t0) / 1e9;
                return new Result(ops, seconds, dev.bytesWritten.get() - bytes0, dev.flushes.get() - flushes0);
            }
        } finally {
            Files.deleteIfExists(img);
        }
    }

    private static long workload(FileSystem fs, int files, int batch) throws Exception {
        long ops = 0;
        long root = FileSystem.ROOT_INO;
        for (int i = 0; i < files; i++) {
            fs.create(root, "file-" + i, 0644, 0, 0);
            ops = commitEvery(fs, ops + 1, batch);
        }
        for (int i = 0; i < files; i++) {
            fs.rename(root, "file-" + i, root, "renamed-" + i);
            ops = commitEvery(fs, ops + 1, batch);
        }
        for (int i = 0; i < files; i++) {
            fs.unlink(root, "renamed-" + i);
            ops = commitEvery(fs, ops + 1, batch);
        }
        fs.sync();
        return ops;
    }

    private static long commitEvery(FileSystem fs, long ops, int batch) throws Exception {
        if (ops % batch == 0) {
            fs.sync();
        }
        return ops;
    }
}
