package io.ext3ns.sda;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens the device a member list describes: one unlabelled member is a plain ext3 image or disk
 * ({@link FileMember}); labelled members are assembled into a Stream Disk Array ({@link StreamDiskArray}).
 */
public final class BlockDevices {
    private BlockDevices() {
    }

    /** {@link #open(List, OpenOptions)} without member locking. */
    public static BlockDevice open(List<Path> members, boolean readOnly) throws IOException {
        return open(members, readOnly ? OpenOptions.READ_ONLY : OpenOptions.READ_WRITE);
    }

    /**
     * Opens the members in array order. One member without an array label opens as a plain device; otherwise the
     * labels must describe exactly these members in this order, or the open is refused with an
     * {@link ArrayAssemblyException} naming the member at fault (nothing is written). With
     * {@code options.exclusive()} a member already opened by another mount or tool is refused too.
     */
    public static BlockDevice open(List<Path> members, OpenOptions options) throws IOException {
        checkMemberList(members);
        if (members.size() == 1 && !hasArrayLabel(members.get(0))) {
            return new FileMember(members.get(0), options);
        }
        List<RawMember> opened = openAll(members, options);
        try {
            return ArrayAssembler.assemble(opened, options.readOnly(), StreamDiskArray.DEFAULT_IN_FLIGHT,
                    options.engine());
        } catch (IOException | RuntimeException e) {
            closeAll(opened, e);
            throw e;
        }
    }

    /**
     * Makes {@code members} (in this order) a new, empty array and returns it opened read-write, O_DIRECT, with
     * every member locked. This is what {@code mkfs.ext3ns -b 1M --layout split|raid0 m0 m1 m2 m3} calls:
     * {@code create(List.of(m0, m1, m2, m3), new ArraySpec(ArrayLayout.parse("split"), 1 << 20))}.
     * Labels are written at the start of every member; the usable size is the smallest member's data space × N.
     * Refused (nothing written) when a member is missing, given twice, locked by another process or too small,
     * or when the block size does not cut into 4096-byte multiples per member.
     */
    public static StreamDiskArray create(List<Path> members, ArraySpec spec) throws IOException {
        return create(members, spec, IoEngine.configured());
    }

    /** As {@link #create(List, ArraySpec)}, the returned array's member requests issued by {@code engine}. */
    public static StreamDiskArray create(List<Path> members, ArraySpec spec, IoEngine engine) throws IOException {
        checkMemberList(members);
        spec.partSize(members.size());
        List<RawMember> opened = openAll(members, OpenOptions.READ_WRITE.exclusively().withEngine(engine));
        try {
            ArrayFormatter.format(opened, spec);
            return ArrayAssembler.assemble(opened, false, StreamDiskArray.DEFAULT_IN_FLIGHT, engine);
        } catch (IOException | RuntimeException e) {
            closeAll(opened, e);
            throw e;
        }
    }

    /** True when {@code member} starts with an array label's magic (it may still be damaged or foreign). */
    public static boolean hasArrayLabel(Path member) throws IOException {
        try (FileChannel channel = FileChannel.open(member)) {
            ByteBuffer head = ByteBuffer.allocate(16);
            channel.read(head, 0);
            return MemberLabel.hasMagic(head.flip());
        }
    }

    private static void checkMemberList(List<Path> members) throws IOException {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("no member given");
        }
        if (members.size() > ArraySpec.MAX_MEMBERS) {
            throw new IllegalArgumentException(members.size() + " members given; an array has at most "
                    + ArraySpec.MAX_MEMBERS);
        }
        for (int i = 0; i < members.size(); i++) {
            if (!Files.exists(members.get(i))) {
                throw new NoSuchFileException(members.get(i) + ": no such member file or device");
            }
            for (int j = 0; j < i; j++) {
                if (Files.isSameFile(members.get(i), members.get(j))) {
                    throw new ArrayAssemblyException(members.get(i).toString(), "is given twice (also at position "
                            + j + " as " + members.get(j) + ")");
                }
            }
        }
    }

    private static List<RawMember> openAll(List<Path> members, OpenOptions options) throws IOException {
        List<RawMember> opened = new ArrayList<>();
        try {
            for (Path member : members) {
                opened.add(RawMember.open(member, options));
            }
            return opened;
        } catch (IOException | RuntimeException e) {
            closeAll(opened, e);
            throw e;
        }
    }

    private static void closeAll(List<RawMember> opened, Throwable cause) {
        for (RawMember member : opened) {
            try {
                member.close();
            } catch (IOException e) {
                cause.addSuppressed(e);
            }
        }
    }
}
