package io.ext3ns.fuse.jnr;

import io.ext3ns.fs.api.Attr;
import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fuse.FuseOps;
import jnr.ffi.Memory;
import jnr.ffi.Runtime;
import org.junit.jupiter.api.Test;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;

import java.lang.reflect.Proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The callbacks' contract with libfuse: errno for file-system errors, EIO for anything else, stat filled right. */
class JnrFuseAdapterTest {
    /** A FuseOps whose every operation throws {@code failure} (or returns {@code attr} for getattr). */
    private static FuseOps ops(Throwable failure, Attr attr) {
        return (FuseOps) Proxy.newProxyInstance(FuseOps.class.getClassLoader(), new Class<?>[] {FuseOps.class},
                (proxy, method, args) -> {
                    if (failure != null) {
                        throw failure;
                    }
                    return attr;
                });
    }

    @Test
    void fileSystemErrorsBecomeTheirErrnoAndAnythingElseEio() {
        Runtime runtime = Runtime.getSystemRuntime();
        FileStat stat = new FileStat(runtime);
        FuseFileInfo fi = FuseFileInfo.of(Memory.allocate(runtime, 128));
        JnrFuseAdapter enoent = new JnrFuseAdapter(ops(new FsException(Errno.ENOENT, "x"), null), "t");
        assertEquals(-2, enoent.getattr("/x", stat));
        assertEquals(-2, enoent.unlink("/x"));
        JnrFuseAdapter enospc = new JnrFuseAdapter(ops(new FsException(Errno.ENOSPC, "full"), null), "t");
        assertEquals(-28, enospc.mkdir("/d", 0755));
        assertEquals(-28, enospc.create("/f", 0100644, fi));
        JnrFuseAdapter broken = new JnrFuseAdapter(ops(new IllegalStateException("bug"), null), "t");
        assertEquals(-5, broken.getattr("/x", stat));
        assertEquals(-5, broken.rename("/a", "/b"));
        JnrFuseAdapter worse = new JnrFuseAdapter(ops(new StackOverflowError(), null), "t");
        assertEquals(-5, worse.rmdir("/d"));
    }

    @Test
    void statCarriesInodeBlocksAndBlockSizeAndNanosecondTimes() {
        Attr attr = new Attr(4242, 0100640, 2, 1000, 100, 5_000_000, 10_248, 1 << 20, 1_500_000_001L,
                -1_000_000_000L, 7, 0);
        FileStat stat = new FileStat(Runtime.getSystemRuntime());
        assertEquals(0, new JnrFuseAdapter(ops(null, attr), "t").getattr("/f", stat));
        assertEquals(4242, stat.st_ino.longValue());
        assertEquals(0100640, stat.st_mode.intValue());
        assertEquals(2, stat.st_nlink.intValue());
        assertEquals(5_000_000, stat.st_size.longValue());
        assertEquals(10_248, stat.st_blocks.longValue());
        assertEquals(1 << 20, stat.st_blksize.intValue());
        assertEquals(1, stat.st_atim.tv_sec.get());
        assertEquals(500_000_001, stat.st_atim.tv_nsec.longValue());
        assertEquals(-1, stat.st_mtim.tv_sec.get()); // before the epoch: floor, not truncation
        assertEquals(0, stat.st_mtim.tv_nsec.longValue());
        assertEquals(7, stat.st_ctim.tv_nsec.longValue());
    }
}
