package io.ext3ns.sda;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a member can be written, asked before anything is written to any member. A read-only block device
 * (losetup -r, blockdev --setro) opens O_RDWR without complaint and fails only at the first write (EPERM), which
 * on an array would come after other members were already written; the kernel's flag is read from sysfs instead.
 */
final class MemberWritability {
    private MemberWritability() {
    }

    /** Refuses a block device the kernel marks read-only (/sys/class/block/NAME/ro is 1). */
    static void requireWritable(Path path) throws IOException {
        if (Files.isRegularFile(path)) {
            return;
        }
        Path flag = Path.of("/sys/class/block", path.toRealPath().getFileName().toString(), "ro");
        if (Files.isReadable(flag) && Files.readString(flag).trim().equals("1")) {
            throw refusal(path, "is a read-only block device");
        }
    }

    /** The read-only refusal for an open that failed because the member cannot be written, or {@code e} itself. */
    static IOException explainOpenFailure(Path path, IOException e) {
        if (e instanceof AccessDeniedException) {
            return refusal(path, "cannot be opened for writing (permission denied)");
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null
                && fse.getReason().contains("Read-only file system")) {
            return refusal(path, "is on a read-only file system");
        }
        return e;
    }

    private static ReadOnlyMemberException refusal(Path path, String why) {
        return new ReadOnlyMemberException(path + " " + why + "; nothing was written. Mount it read-only (-o ro)"
                + " or check it with fsck.ext3ns -n");
    }
}
