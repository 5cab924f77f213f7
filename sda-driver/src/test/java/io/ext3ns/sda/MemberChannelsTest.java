package io.ext3ns.sda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** O_DIRECT where the file system takes it; one clear line and buffered I/O where it does not. */
class MemberChannelsTest {
    @TempDir
    Path dir;

    @Test
    void filesOnThisDiskOpenDirect() throws Exception {
        Path member = TestMembers.sparseFiles(dir, 1, 1 << 20).get(0);
        MemberChannels.Opened opened = MemberChannels.open(member, false, true);
        try (var channel = opened.channel()) {
            assertTrue(opened.direct());
        }
    }

    @Test
    void fallsBackWithOneLineWhereODirectIsRefused() throws Exception {
        Path procFile = Path.of("/proc/version"); // procfs has no direct I/O: the kernel refuses O_DIRECT (EINVAL)
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        MemberChannels.Opened opened;
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            opened = MemberChannels.open(procFile, true, true);
        } finally {
            System.setErr(original);
        }
        try (var channel = opened.channel()) {
            assertFalse(opened.direct());
            assertTrue(channel.read(java.nio.ByteBuffer.allocate(64), 0) > 0, "the buffered channel works");
        }
        String message = captured.toString(StandardCharsets.UTF_8);
        assertEquals(1, message.lines().count(), message);
        assertTrue(message.contains("WARN") && message.contains("/proc/version: O_DIRECT not supported here ("),
                message);
        assertTrue(message.strip().endsWith("); using buffered I/O"), message);
    }
}
