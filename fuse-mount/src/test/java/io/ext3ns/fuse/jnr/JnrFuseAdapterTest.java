package io.ext3ns.fuse.jnr;

import io.ext3ns.fs.api.Attr;
import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fuse.ops.FuseOps;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
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

    /** The direct_io bit of libfuse 2.9's struct fuse_file_info: bit 0 of the word at byte 20 (LP64). */
    @Test
    void writeOnlyDescriptorsGetDirectIoAndNoOthers() {
        Runtime runtime = Runtime.getSystemRuntime();
        FuseOps ops = (FuseOps) Proxy.newProxyInstance(FuseOps.class.getClassLoader(), new Class<?>[] {FuseOps.class},
                (proxy, method, args) -> method.getReturnType() == long.class ? 7L : null);
        JnrFuseAdapter adapter = new JnrFuseAdapter(ops, "t");
        for (boolean create : new boolean[] {false, true}) {
            for (int accessMode : new int[] {0, 1, 2}) { // O_RDONLY, O_WRONLY, O_RDWR
                Pointer memory = Memory.allocate(runtime, 64);
                memory.putInt(20, 0b10); // keep_cache set by someone else: must survive
                FuseFileInfo fi = FuseFileInfo.of(memory);
                fi.flags.set(accessMode | 01000); // | O_TRUNC
                assertEquals(0, create ? adapter.create("/f", 0100644, fi) : adapter.open("/f", fi));
                assertEquals(7, fi.fh.get());
                assertEquals(accessMode == 1 ? 0b11 : 0b10, memory.getInt(20), "access mode " + accessMode);
            }
        }
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
