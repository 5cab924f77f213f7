package io.ext3ns.fuse.mount;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MountTableTest {
    @Test
    void octalEscapesOfProcMountsAreDecoded() {
        assertEquals("/mnt/my disk\\x", MountTable.unescape("/mnt/my\\040disk\\134x"));
        assertEquals("/plain", MountTable.unescape("/plain"));
        assertEquals("/trailing\\04", MountTable.unescape("/trailing\\04"));
    }

    @Test
    void theRootFileSystemIsLive() throws Exception {
        assertEquals(MountTable.State.LIVE, MountTable.state(Path.of("/")));
    }
}
