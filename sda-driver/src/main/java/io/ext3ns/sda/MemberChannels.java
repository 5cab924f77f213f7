package io.ext3ns.sda;

import com.sun.nio.file.ExtendedOpenOption;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens a member's channel, with O_DIRECT when asked and the member's file system supports it. */
final class MemberChannels {
    private static final Logger LOG = LoggerFactory.getLogger(MemberChannels.class);
    private MemberChannels() {
    }

    /** An open member channel and whether it bypasses the page cache. */
    record Opened(FileChannel channel, boolean direct) {
    }

    static Opened open(Path path, boolean readOnly, boolean direct) throws IOException {
        if (direct) {
            try {
                return new Opened(FileChannel.open(path, options(readOnly, true)), true);
            } catch (IOException | UnsupportedOperationException refused) {
                FileChannel channel = openBufferedAfterRefusal(path, readOnly);
                LOG.warn("{}: O_DIRECT not supported here ({}); using buffered I/O", path, refused.getMessage());
                return new Opened(channel, false);
            }
        }
        return new Opened(FileChannel.open(path, options(readOnly, false)), false);
    }

    /** An O_DIRECT channel, or null where the member's file system refuses O_DIRECT. */
    static FileChannel openDirectOrNull(Path path, boolean readOnly) throws IOException {
        try {
            return FileChannel.open(path, options(readOnly, true));
        } catch (IOException | UnsupportedOperationException refused) {
            openBufferedAfterRefusal(path, readOnly).close();
            return null;
        }
    }

    /** Only a refusal of O_DIRECT itself falls back: if the plain open fails too, that error is the real one. */
    private static FileChannel openBufferedAfterRefusal(Path path, boolean readOnly) throws IOException {
        return FileChannel.open(path, options(readOnly, false));
    }

    private static OpenOption[] options(boolean readOnly, boolean direct) {
        List<OpenOption> options = new ArrayList<>(List.of(StandardOpenOption.READ));
        if (!readOnly) {
            options.add(StandardOpenOption.WRITE);
        }
        if (direct) {
            options.add(ExtendedOpenOption.DIRECT);
        }
        return options.toArray(OpenOption[]::new);
    }
}
