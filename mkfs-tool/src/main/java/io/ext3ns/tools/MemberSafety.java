package io.ext3ns.tools;

import io.ext3ns.fs.disk.Superblock;
import io.ext3ns.sda.BlockDevices;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Why mkfs must not touch a member without -F: it already holds a file system or an array label, or it is mounted
 * (directly, or through a loop device backed by the member file). Read-only: nothing here writes.
 */
final class MemberSafety {
    private static final Path PROC_MOUNTS = Path.of("/proc/mounts");
    private static final Path SYS_BLOCK = Path.of("/sys/block");

    private MemberSafety() {
    }

    /** A foreign on-disk signature: {@code magic} at byte {@code offset} means the member holds {@code what}. */
    private record Signature(long offset, byte[] magic, String what) {
        Signature(long offset, String magic, String what) {
            this(offset, magic.getBytes(StandardCharsets.ISO_8859_1), what);
        }
    }

    /** Other contents worth a refusal, as blkid would name them. */
    private static final List<Signature> FOREIGN = List.of(
            new Signature(512, "EFI PART", "contains a GPT partition table"),
            new Signature(0, "XFSB", "contains an XFS file system"),
            new Signature(65600, "_BHRfS_M", "contains a btrfs file system"),
            new Signature(4086, "SWAPSPACE2", "contains a swap area"),
            new Signature(510, new byte[] {0x55, (byte) 0xAA}, "contains a DOS partition table or boot sector"));

    /** What the member already holds that a format would destroy, if anything. */
    static Optional<String> existingContent(Path member) throws IOException {
        if (BlockDevices.hasArrayLabel(member)) {
            return Optional.of("is a Stream Disk Array member (it carries an array label)");
        }
        try (FileChannel ch = FileChannel.open(member)) {
            ByteBuffer sb = read(ch, Superblock.OFFSET, Superblock.SIZE).order(ByteOrder.LITTLE_ENDIAN);
            if (sb.limit() >= 0x3A && (sb.getShort(0x38) & 0xFFFF) == Superblock.MAGIC) {
                String label = sb.limit() >= 0x88 ? cString(sb, 0x78, 16) : "";
                return Optional.of("contains an ext2/ext3 file system"
                        + (label.isEmpty() ? "" : " labelled '" + label + "'"));
            }
            for (Signature s : FOREIGN) {
                ByteBuffer at = read(ch, s.offset(), s.magic().length);
                if (at.limit() == s.magic().length && at.equals(ByteBuffer.wrap(s.magic()))) {
                    return Optional.of(s.what());
                }
            }
            return Optional.empty();
        }
    }

    /** Up to {@code length} bytes at {@code offset} (fewer near the end of the member), flipped for reading. */
    private static ByteBuffer read(FileChannel ch, long offset, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining() && ch.read(b, offset + b.position()) > 0) {
            // keep reading: a block device may return short reads
        }
        return b.flip();
    }

    /** Where the member is mounted, directly or through a loop device, if it is. */
    static Optional<String> mountedAt(Path member) throws IOException {
        Path real = member.toRealPath();
        List<String> sources = new ArrayList<>();
        sources.add(real.toString());
        sources.addAll(loopDevicesBackedBy(real));
        if (!Files.isReadable(PROC_MOUNTS)) {
            return Optional.empty();
        }
        for (String line : Files.readAllLines(PROC_MOUNTS)) {
            String[] f = line.split(" ");
            if (f.length < 2) {
                continue;
            }
            String source = unescape(f[0]);
            for (String s : sources) {
                if (source.equals(s) || resolvesTo(source, s)) {
                    String via = s.equals(real.toString()) ? "" : " through " + s;
                    return Optional.of("is mounted on " + unescape(f[1]) + via);
                }
            }
        }
        return Optional.empty();
    }

    private static boolean resolvesTo(String source, String path) {
        if (!source.startsWith("/")) {
            return false;
        }
        try {
            return Path.of(source).toRealPath().toString().equals(path);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** /dev/loopN whose backing file is {@code file} (from /sys/block/loopN/loop/backing_file). */
    private static List<String> loopDevicesBackedBy(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(SYS_BLOCK)) {
            return out;
        }
        try (DirectoryStream<Path> loops = Files.newDirectoryStream(SYS_BLOCK, "loop*")) {
            for (Path loop : loops) {
                Path backing = loop.resolve("loop/backing_file");
                if (Files.isReadable(backing)) {
                    String target = Files.readString(backing).trim().replaceFirst(" \\(deleted\\)$", "");
                    if (target.equals(file.toString())) {
                        out.add("/dev/" + loop.getFileName());
                    }
                }
            }
        }
        return out;
    }

    /** /proc/mounts escapes space, tab, newline and backslash as octal. */
    private static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static String cString(ByteBuffer b, int off, int max) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < max && b.get(off + i) != 0; i++) {
            s.append((char) (b.get(off + i) & 0xFF));
        }
        return s.toString();
    }
}
