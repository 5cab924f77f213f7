package io.ext3ns.fuse.jnr;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What libfuse 2 needs on top of every mount's options: big writes and its request cap, first. */
class JnrFuseBackendTest {
    @Test
    void libfuse2GetsBigWritesAndTheRequestCap() {
        assertEquals("big_writes,max_read=131072,use_ino,attr_timeout=0,ro,allow_other,subtype=ext3ns,"
                        + "fsname=/a\\,/b",
                JnrFuseBackend.commandLineOptions(List.of("use_ino", "attr_timeout=0", "ro", "allow_other"),
                        "/a,/b"));
    }
}
