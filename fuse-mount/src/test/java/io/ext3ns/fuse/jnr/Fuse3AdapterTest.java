package io.ext3ns.fuse.jnr;

import io.ext3ns.fs.api.Attr;
import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fuse.ops.FuseBackend;
import io.ext3ns.fuse.ops.FuseOps;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The libfuse 3 callbacks' contract: errno for file-system errors, EIO for anything else; struct fuse_file_info
 * read and written at libfuse 3's offsets; rename's flags honoured or refused.
 */
class Fuse3AdapterTest {
    private static final Runtime RUNTIME = Runtime.getSystemRuntime();
    private static final java.util.function.BiConsumer<Pointer, Pointer> NO_INIT = (conn, config) -> { };

    /** A FuseOps that records each call's method name and answers {@code answer} (or throws it). */
    private static FuseOps ops(List<String> calls, Object answer) {
        return (FuseOps) Proxy.newProxyInstance(FuseOps.class.getClassLoader(), new Class<?>[] {FuseOps.class},
                (proxy, method, args) -> {
                    calls.add(method.getName() + (args != null && args.length > 0 ? " " + args[0] : ""));
                    if (answer instanceof Throwable t) {
                        throw t;
                    }
                    return method.getReturnType() == long.class ? 7L : answer;
                });
    }

    @Test
    void fileSystemErrorsBecomeTheirErrnoAndAnythingElseEio() {
        Pointer stat = Memory.allocate(RUNTIME, 256);
        List<String> calls = new ArrayList<>();
        assertEquals(-2, new Fuse3Adapter(ops(calls, new FsException(Errno.ENOENT, "x")), null, NO_INIT)
                .getattr("/x", stat, null));
        assertEquals(-28, new Fuse3Adapter(ops(calls, new FsException(Errno.ENOSPC, "full")), null, NO_INIT)
                .truncate("/f", 1 << 20, null));
        assertEquals(-5, new Fuse3Adapter(ops(calls, new IllegalStateException("bug")), null, NO_INIT)
                .rename("/a", "/b", 0));
        assertEquals(-5, new Fuse3Adapter(ops(calls, new StackOverflowError()), null, NO_INIT).open("/f", fileInfo(0)));
    }

    /** libfuse 3's struct fuse_file_info: flags at 0, direct_io is bit 1 of the word at 4, fh at 16. */
    @Test
    void writeOnlyDescriptorsGetDirectIoAndTheHandleLandsInFh() {
        List<String> calls = new ArrayList<>();
        Fuse3Adapter adapter = new Fuse3Adapter(ops(calls, null), null, NO_INIT);
        for (int accessMode : new int[] {0, 1, 2}) { // O_RDONLY, O_WRONLY, O_RDWR
            Pointer fi = fileInfo(accessMode);
            fi.putInt(4, 0b100); // keep_cache set by someone else: must survive
            assertEquals(0, adapter.open("/f", fi));
            assertEquals(7L, fi.getLong(16));
            assertEquals(accessMode == 1 ? 0b110 : 0b100, fi.getInt(4), "access mode " + accessMode);
        }
    }

    @Test
    void anOpenFileIsStattedAndTruncatedByItsHandle() {
        List<String> calls = new ArrayList<>();
        Attr attr = new Attr(12, 0100644, 1, 0, 0, 5, 8, 4096, 0, 0, 0, 0);
        Fuse3Adapter adapter = new Fuse3Adapter(ops(calls, attr), null, NO_INIT);
        Pointer fi = fileInfo(2);
        fi.putLong(16, 42);
        assertEquals(0, adapter.getattr("/f", Memory.allocate(RUNTIME, 256), fi));
        assertEquals(0, adapter.getattr("/f", Memory.allocate(RUNTIME, 256), null));
        new Fuse3Adapter(ops(calls, null), null, NO_INIT).truncate("/f", 10, fi);
        assertEquals(List.of("getattr 42", "getattr /f", "truncate 42"), calls);
    }

    @Test
    void renameNoReplaceRefusesAnExistingTargetExchangeExchangesAndOtherFlagsAreEinval() {
        List<String> calls = new ArrayList<>();
        Attr attr = new Attr(12, 0100644, 1, 0, 0, 5, 8, 4096, 0, 0, 0, 0);
        assertEquals(-17, new Fuse3Adapter(ops(calls, attr), null, NO_INIT).rename("/a", "/b", 1)); // RENAME_NOREPLACE
        assertTrue(calls.stream().noneMatch(c -> c.startsWith("rename")), calls.toString());
        List<String> exchanged = new ArrayList<>();
        assertEquals(0, new Fuse3Adapter(ops(exchanged, null), null, NO_INIT).rename("/a", "/b", 2)); // EXCHANGE
        assertEquals(List.of("exchange /a"), exchanged);
        assertEquals(-22, new Fuse3Adapter(ops(calls, null), null, NO_INIT).rename("/a", "/b", 3)); // both
        assertEquals(-22, new Fuse3Adapter(ops(calls, null), null, NO_INIT).rename("/a", "/b", 4)); // WHITEOUT

        List<String> absent = new ArrayList<>();
        FuseOps noTarget = (FuseOps) Proxy.newProxyInstance(FuseOps.class.getClassLoader(),
                new Class<?>[] {FuseOps.class}, (proxy, method, args) -> {
                    absent.add(method.getName());
                    if (method.getName().equals("getattr")) {
                        throw new FsException(Errno.ENOENT, "no such file");
                    }
                    return null;
                });
        assertEquals(0, new Fuse3Adapter(noTarget, null, NO_INIT).rename("/a", "/b", 1));
        assertEquals(List.of("getattr", "rename"), absent);
    }

    /** fallocate's mode reaches the file system whole: the engine decides what it supports. */
    @Test
    void fallocatePassesItsMode() {
        List<List<Object>> calls = new ArrayList<>();
        FuseOps recorder = (FuseOps) Proxy.newProxyInstance(FuseOps.class.getClassLoader(),
                new Class<?>[] {FuseOps.class}, (proxy, method, args) -> {
                    calls.add(List.of(method.getName(), List.of(args)));
                    return null;
                });
        Pointer fi = fileInfo(2);
        fi.putLong(16, 42);
        assertEquals(0, new Fuse3Adapter(recorder, null, NO_INIT).fallocate("/f", 0x03, 4096, 8192, fi));
        assertEquals(List.of(List.of("fallocate", List.of(42L, 3, 4096L, 8192L))), calls);
    }

    /** use_ino/direct_io go to struct fuse_config, the queue limits to struct fuse_conn_info, nonempty nowhere. */
    @Test
    void initTimeOptionsLeaveTheCommandLineForLibfuse3sStructs() {
        Fuse3Options parsed = Fuse3Options.parse(List.of("use_ino", "attr_timeout=0", "nonempty", "direct_io",
                "max_background=64", "congestion_threshold=x", "allow_other"));
        assertEquals(List.of("attr_timeout=0", "allow_other"), parsed.commandLine());
        Pointer conn = Memory.allocate(RUNTIME, 128);
        Pointer config = Memory.allocate(RUNTIME, 128);
        parsed.applyTo(conn, config);
        assertEquals(1, config.getInt(64));
        assertEquals(1, config.getInt(72));
        assertEquals(64, conn.getInt(28));
        assertEquals(0, conn.getInt(32), "a threshold that is not a number leaves libfuse's");
    }

    /** The acl marker leaves the command line and asks for POSIX_ACL and DONT_MASK, as far as the kernel offers. */
    @Test
    void posixAclMarkerAsksForTheCapabilitiesTheKernelOffers() {
        Fuse3Options parsed = Fuse3Options.parse(List.of("default_permissions", FuseBackend.POSIX_ACL));
        assertEquals(List.of("default_permissions"), parsed.commandLine());
        Pointer conn = Memory.allocate(RUNTIME, 128);
        conn.putInt(20, (1 << 19) | (1 << 6) | 1);
        conn.putInt(24, 1);
        parsed.applyTo(conn, Memory.allocate(RUNTIME, 128));
        assertEquals((1 << 19) | (1 << 6) | 1, conn.getInt(24));
        Pointer old = Memory.allocate(RUNTIME, 128);
        old.putInt(20, 1);
        parsed.applyTo(old, Memory.allocate(RUNTIME, 128));
        assertEquals(0, old.getInt(24), "nothing asked that the kernel cannot give");
    }

    private static Pointer fileInfo(int flags) {
        Pointer fi = Memory.allocate(RUNTIME, 64);
        fi.putInt(0, flags);
        return fi;
    }
}
