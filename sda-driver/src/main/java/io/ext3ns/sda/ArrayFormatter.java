package io.ext3ns.sda;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Writes fresh labels on a member list, making it a new, empty array. Destroys the array the members held. */
public final class ArrayFormatter {
    private ArrayFormatter() {
    }

    /**
     * Labels {@code members} (in array order) as a new array of {@code spec}, using the smallest member's size on
     * all, and syncs the labels; returns the new array's UUID. Nothing is written when a member is unsuitable.
     */
    public static UUID format(List<? extends MemberIo> members, ArraySpec spec) throws IOException {
        int partSize = spec.partSize(members.size());
        long smallest = Long.MAX_VALUE;
        for (MemberIo member : members) {
            long dataSpace = member.size() - MemberLabel.DATA_OFFSET;
            if (dataSpace < partSize) {
                throw new ArrayAssemblyException(member.name(), "is too small (" + member.size() + " bytes): an "
                        + "array member needs at least " + (MemberLabel.DATA_OFFSET + partSize));
            }
            smallest = Math.min(smallest, dataSpace);
        }
        long memberDataSize = smallest / partSize * partSize;
        UUID id = UUID.randomUUID();
        long now = Instant.now().getEpochSecond();
        for (int i = 0; i < members.size(); i++) {
            MemberLabel label = new MemberLabel(id, i, members.size(), spec.layout(), spec.blockSize(), partSize,
                    MemberLabel.DATA_OFFSET, memberDataSize, now);
            members.get(i).write(0, label.encode());
        }
        for (MemberIo member : members) {
            member.sync();
        }
        return id;
    }
}
