package io.ext3ns.fs.testing;

import io.ext3ns.fs.disk.Superblock;
import io.ext3ns.fs.format.FormatException;
import io.ext3ns.fs.format.FormatSpec;
import io.ext3ns.fs.format.VolumeFormatter;
import io.ext3ns.sda.FileMember;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/** Sparse image files formatted by our formatter, for tests across modules (fs-core test-jar). */
public final class TestImages {
    /** A fixed UUID and time so that test images are reproducible. */
    public static final UUID TEST_UUID = UUID.fromString("5e3a1b2c-0d4e-4f60-8a7b-9c0d1e2f3a4b");
    public static final long TEST_TIME = 1_700_000_000L;

    private TestImages() {
    }

    /** Creates (or truncates to) a sparse file of {@code bytes}. */
    public static Path sparseFile(Path path, long bytes) throws IOException {
        Files.deleteIfExists(path);
        try (RandomAccessFile f = new RandomAccessFile(path.toFile(), "rw")) {
            f.setLength(bytes);
        }
        return path;
    }

    /** A spec builder with the test UUID and time at this block size. */
    public static FormatSpec.Builder spec(int blockSize) {
        return FormatSpec.builder().blockSize(blockSize).uuid(TEST_UUID).createdEpochSeconds(TEST_TIME);
    }

    /** Makes a sparse image of {@code bytes} and formats it with {@code spec}. */
    public static Superblock format(Path image, long bytes, FormatSpec spec) throws IOException, FormatException {
        sparseFile(image, bytes);
        try (FileMember dev = new FileMember(image, false)) {
            return VolumeFormatter.format(dev, spec);
        }
    }

    /** Makes a sparse image of {@code bytes} formatted at {@code blockSize} with test defaults. */
    public static Superblock format(Path image, long bytes, int blockSize) throws IOException, FormatException {
        return format(image, bytes, spec(blockSize).build());
    }
}
