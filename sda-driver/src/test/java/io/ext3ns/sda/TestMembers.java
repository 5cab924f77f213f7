package io.ext3ns.sda;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/** Helpers shared by the array tests: sparse member files and reproducible data. */
final class TestMembers {
    private TestMembers() {
    }

    /** {@code count} sparse files of {@code size} bytes named m0, m1, … in {@code dir}. */
    static List<Path> sparseFiles(Path dir, int count, long size) throws IOException {
        List<Path> paths = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Path p = dir.resolve("m" + i);
            try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
                f.setLength(size);
            }
            paths.add(p);
        }
        return paths;
    }

    /** An aligned direct buffer of {@code length} pseudo-random bytes determined by {@code seed}. */
    static ByteBuffer pattern(long seed, int length) {
        ByteBuffer b = AlignedBuffers.allocate(length);
        SplittableRandom random = new SplittableRandom(seed);
        while (b.remaining() >= 8) {
            b.putLong(random.nextLong());
        }
        return b.clear();
    }

    /** Opens every path as a member with {@code options}. */
    static List<MemberIo> open(List<Path> paths, OpenOptions options) throws IOException {
        List<MemberIo> members = new ArrayList<>();
        for (Path p : paths) {
            members.add(RawMember.open(p, options));
        }
        return members;
    }

    /** Bytes {@code [offset, offset+length)} of a member file, read through the page cache. */
    static ByteBuffer memberBytes(Path member, long offset, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        try (var channel = FileChannel.open(member)) {
            while (b.hasRemaining() && channel.read(b, offset + b.position()) > 0) {
                // keep reading
            }
        }
        return b.flip();
    }

    /** A content fingerprint of every member, to prove a refused assembly wrote nothing. */
    static List<Integer> fingerprints(List<Path> members) throws IOException {
        List<Integer> sums = new ArrayList<>();
        for (Path m : members) {
            sums.add(Arrays.hashCode(Files.readAllBytes(m)));
        }
        return sums;
    }
}
