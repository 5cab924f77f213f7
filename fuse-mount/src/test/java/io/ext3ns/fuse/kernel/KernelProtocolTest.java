package io.ext3ns.fuse.kernel;

import io.ext3ns.fs.api.Attr;
import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fuse.ops.FuseBackend;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The wire side of transport=kernel without a mount: INIT, request bounds, reply layout, mount flags, time-outs. */
class KernelProtocolTest {
    private static ByteBuffer request(int opcode, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(FuseProtocol.IN_HEADER + body.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(FuseProtocol.IN_HEADER + body.length).putInt(opcode).putLong(77).putLong(1).putInt(1000)
                .putInt(100).putInt(4242).putInt(0).put(body);
        return b;
    }

    private static byte[] initBody(int minor, int flags) {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(7).putInt(minor).putInt(131072).putInt(flags);
        return b.array();
    }

    private static Reply reply() {
        return new Reply(ByteBuffer.allocate(4096)).begin();
    }

    @Test
    void initTakesTwoMibRequestsAndOnlyOfferedFlags() throws Exception {
        int offered = FuseProtocol.MAX_PAGES | FuseProtocol.BIG_WRITES | FuseProtocol.POSIX_ACL | (1 << 16);
        Request r = new Request(request(FuseProtocol.INIT, initBody(45, offered)));
        assertTrue(r.parse(FuseProtocol.IN_HEADER + 64));
        Reply out = reply();
        Init.Negotiated n = Init.answer(r, out, List.of("default_permissions", FuseBackend.POSIX_ACL), 512);
        assertEquals(FuseProtocol.KERNEL_MINOR, n.minor());
        assertEquals(2 << 20, n.maxWrite());
        // writeback cache (1 << 16) was offered, not taken; ACLs were asked for, with DONT_MASK (not offered)
        assertEquals(FuseProtocol.MAX_PAGES | FuseProtocol.BIG_WRITES | FuseProtocol.POSIX_ACL, n.flags());
        ByteBuffer b = out.buf;
        assertEquals(FuseProtocol.OUT_HEADER + FuseProtocol.INIT_OUT, out.finish(77, 0));
        assertEquals(7, b.getInt(16));
        assertEquals(FuseProtocol.KERNEL_MINOR, b.getInt(20));
        assertEquals(2 << 20, b.getInt(36)); // max_write
        assertEquals(512, b.getShort(44)); // max_pages
        assertEquals(77, b.getLong(8));
    }

    @Test
    void initWithoutMaxPagesStaysAt128KibAndRefusesOldKernels() throws Exception {
        Request r = new Request(request(FuseProtocol.INIT, initBody(36, FuseProtocol.BIG_WRITES)));
        assertTrue(r.parse(FuseProtocol.IN_HEADER + 64));
        assertEquals(128 << 10, Init.answer(r, reply(), List.of(), 512).maxWrite());
        Request old = new Request(request(FuseProtocol.INIT, initBody(26, 0)));
        assertTrue(old.parse(FuseProtocol.IN_HEADER + 64));
        assertThrows(FsException.class, () -> Init.answer(old, reply(), List.of(), 512));
        Request noAcl = new Request(request(FuseProtocol.INIT, initBody(36, 0)));
        assertTrue(noAcl.parse(FuseProtocol.IN_HEADER + 64));
        assertThrows(FsException.class, () -> Init.answer(noAcl, reply(), List.of(FuseBackend.POSIX_ACL), 512));
    }

    @Test
    void requestsAreReadWithinTheirLength() throws Exception {
        ByteBuffer b = request(FuseProtocol.LOOKUP, "name\0".getBytes());
        Request r = new Request(b);
        assertFalse(r.parse(b.capacity() - 1), "length field and bytes read disagree");
        assertTrue(r.parse(b.capacity()));
        assertEquals(FuseProtocol.LOOKUP, r.opcode);
        assertEquals(77, r.unique);
        assertEquals(1000, r.uid);
        assertEquals("name", r.name());
        FsException shortBody = assertThrows(FsException.class, r::u32);
        assertEquals(Errno.EINVAL, shortBody.errno());
        Request unterminated = new Request(request(FuseProtocol.LOOKUP, "abc".getBytes()));
        assertTrue(unterminated.parse(FuseProtocol.IN_HEADER + 3));
        assertEquals(Errno.EINVAL, assertThrows(FsException.class, unterminated::name).errno());
        Request nonUtf8 = new Request(request(FuseProtocol.LOOKUP, new byte[] {'c', (byte) 0xe9, 0}));
        assertTrue(nonUtf8.parse(FuseProtocol.IN_HEADER + 3));
        assertEquals("c\udce9", nonUtf8.name());
    }

    @Test
    void attributesAndEntriesHaveTheKernelsLayout() {
        Reply out = reply();
        Attr a = new Attr(12, 0100644, 2, 1000, 100, 5000, 16, 4096, -1_500_000_000L, 3_000_000_007L, 0, 0);
        out.entry(NodeTable.nodeOf(12), a, new Timeouts(1_500_000_000L, 1_000_000_000L));
        assertEquals(FuseProtocol.OUT_HEADER + FuseProtocol.ENTRY_OUT, out.buf.position());
        ByteBuffer b = out.buf;
        assertEquals(12, b.getLong(16)); // nodeid
        assertEquals(1, b.getLong(32)); // entry_valid seconds
        assertEquals(500_000_000, b.getInt(48)); // entry_valid_nsec
        int attr = 16 + 40;
        assertEquals(12, b.getLong(attr));
        assertEquals(5000, b.getLong(attr + 8));
        assertEquals(-2, b.getLong(attr + 24)); // atime before 1970: seconds floor, nanoseconds positive
        assertEquals(500_000_000, b.getInt(attr + 48));
        assertEquals(3, b.getLong(attr + 32));
        assertEquals(7, b.getInt(attr + 52));
        assertEquals(0100644, b.getInt(attr + 60));
        assertEquals(1, NodeTable.nodeOf(2), "ext3's root is the kernel's node 1");
        assertEquals(2, NodeTable.inoOf(1));
    }

    @Test
    void lookupCountsFollowForgets() {
        NodeTable nodes = new NodeTable();
        assertEquals(12, nodes.looked(12));
        nodes.looked(12);
        nodes.forget(12, 1);
        assertTrue(nodes.known(12));
        nodes.forget(12, 1);
        assertFalse(nodes.known(12));
        assertTrue(nodes.known(2), "the root is always known");
        assertEquals(0, nodes.size());
    }

    @Test
    void mountFlagsAndDataFromTheOptions() {
        KernelMount.Plan p = KernelMount.plan(List.of("use_ino", "attr_timeout=0", "ro", "default_permissions",
                "allow_other", "dev", "noexec", "kernel_cache"), 9);
        assertEquals(1 | 2 | 8, p.flags()); // ro, nosuid, noexec; dev undid nodev
        assertEquals("fd=9,rootmode=40000,user_id=0,group_id=0,default_permissions,allow_other", p.data());
    }

    @Test
    void timeOutsAreOneSecondUnlessTheUserSaysOtherwise() {
        assertEquals(new Timeouts(1_000_000_000L, 1_000_000_000L), Timeouts.of(List.of("attr_timeout=0")));
        assertEquals(new Timeouts(2_500_000_000L, 0), Timeouts.of(List.of("attr_timeout=0", "entry_timeout=2.5",
                "attr_timeout=0")));
        assertThrows(IllegalArgumentException.class, () -> Timeouts.of(List.of("entry_timeout=-1")));
    }
}
