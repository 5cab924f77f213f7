package io.ext3ns.sda;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Reads the labels of a member list and assembles the array they describe, or refuses with a message naming the
 * member at fault: no label, damaged label, foreign member, missing member, wrong order, inconsistent geometry,
 * member too small. Assembly only reads; a refusal leaves every member as it was.
 */
public final class ArrayAssembler {
    private ArrayAssembler() {
    }

    /**
     * Assembles {@code members} (in array order) into an array with {@code inFlightPerMember} requests in flight per
     * member ({@link StreamDiskArray#DEFAULT_IN_FLIGHT} normally). On success the array owns the members and closes
     * them; on refusal the caller still does.
     */
    public static StreamDiskArray assemble(List<? extends MemberIo> members, boolean readOnly, int inFlightPerMember)
            throws IOException {
        return assemble(members, readOnly, inFlightPerMember, IoEngine.configured());
    }

    /**
     * As above, with member requests issued by {@code engine}. With {@link IoEngine#URING}, members that offer a
     * native descriptor ({@link RawMember} opened with that engine) go through the array's ring; wrappers that do
     * not (fault or latency injection) are served by threads.
     */
    public static StreamDiskArray assemble(List<? extends MemberIo> members, boolean readOnly, int inFlightPerMember,
                                           IoEngine engine) throws IOException {
        return assemble(members, readOnly, inFlightPerMember, engine, UringEngine.DEFAULT_OPENER);
    }

    static StreamDiskArray assemble(List<? extends MemberIo> members, boolean readOnly, int inFlightPerMember,
                                    IoEngine engine, UringEngine.RingOpener opener) throws IOException {
        if (members.isEmpty() || members.size() > ArraySpec.MAX_MEMBERS) {
            throw new IllegalArgumentException("an array has 1 to " + ArraySpec.MAX_MEMBERS + " members, not "
                    + members.size());
        }
        List<MemberLabel> labels = new ArrayList<>();
        for (MemberIo member : members) {
            labels.add(readLabel(member));
        }
        UUID arrayId = majorityId(labels);
        for (int i = 0; i < labels.size(); i++) {
            if (!labels.get(i).arrayId().equals(arrayId)) {
                throw new ArrayAssemblyException(members.get(i).name(), "is a foreign member: it belongs to array "
                        + labels.get(i).arrayId() + ", the others to array " + arrayId);
            }
        }
        MemberLabel first = labels.get(0);
        for (int i = 1; i < labels.size(); i++) {
            if (!labels.get(i).sameArrayAs(first)) {
                throw new ArrayAssemblyException(members.get(i).name(), "has a label that disagrees with "
                        + members.get(0).name() + " on the array geometry");
            }
        }
        checkCountAndOrder(members, labels, arrayId);
        ArrayGeometry geometry = first.geometry();
        long needed = geometry.dataOffset() + geometry.memberDataSize();
        for (MemberIo member : members) {
            if (member.size() < needed) {
                throw new ArrayAssemblyException(member.name(), "size mismatch: the member is " + member.size()
                        + " bytes but array " + arrayId + " needs " + needed + " on every member");
            }
        }
        return new StreamDiskArray(arrayId, geometry, members, readOnly, inFlightPerMember, engine, opener);
    }

    /** Reads and validates the label of one member. */
    static MemberLabel readLabel(MemberIo member) throws IOException {
        if (member.size() < MemberLabel.SIZE) {
            throw new ArrayAssemblyException(member.name(), "is too small (" + member.size()
                    + " bytes) to hold an array label");
        }
        ByteBuffer raw = AlignedBuffers.allocate(MemberLabel.SIZE);
        member.read(0, raw);
        return MemberLabel.decode(raw.flip(), member.name());
    }

    /** The array most members claim to belong to (the first member's on a tie). */
    private static UUID majorityId(List<MemberLabel> labels) {
        Map<UUID, Integer> votes = new HashMap<>();
        UUID best = labels.get(0).arrayId();
        for (MemberLabel label : labels) {
            int v = votes.merge(label.arrayId(), 1, Integer::sum);
            if (v > votes.get(best)) {
                best = label.arrayId();
            }
        }
        return best;
    }

    private static void checkCountAndOrder(List<? extends MemberIo> members, List<MemberLabel> labels, UUID arrayId)
            throws ArrayAssemblyException {
        int count = labels.get(0).memberCount();
        if (members.size() < count) {
            TreeSet<Integer> missing = new TreeSet<>();
            for (int i = 0; i < count; i++) {
                missing.add(i);
            }
            labels.forEach(label -> missing.remove(label.memberIndex()));
            throw new ArrayAssemblyException("member " + missing.first(), "missing: array " + arrayId + " has "
                    + count + " members, " + members.size() + " were given (missing member indexes " + missing
                    + ")");
        }
        if (members.size() > count) {
            throw new ArrayAssemblyException(members.get(count).name(), "is extra: array " + arrayId + " has only "
                    + count + " members");
        }
        for (int i = 0; i < labels.size(); i++) {
            int index = labels.get(i).memberIndex();
            if (index != i) {
                throw new ArrayAssemblyException(members.get(i).name(), "wrong order: it is member " + index
                        + " of array " + arrayId + " but was given at position " + i);
            }
        }
    }
}
