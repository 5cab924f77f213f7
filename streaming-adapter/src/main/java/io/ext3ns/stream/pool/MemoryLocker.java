package io.ext3ns.stream.pool;

import io.ext3ns.stream.nativeio.LibC;
import io.ext3ns.stream.nativeio.Linux;
import io.ext3ns.stream.nativeio.NativeCalls;
import io.ext3ns.sda.AlignedBuffers;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** mlock/munlock of pool memory, with the RLIMIT_MEMLOCK check that explains a refusal. */
final class MemoryLocker {
    private MemoryLocker() {
    }

    /** Soft RLIMIT_MEMLOCK in bytes, or -1 when unknown (no libc). Long.MAX_VALUE means unlimited. */
    static long memlockLimit() {
        if (!NativeCalls.available()) {
            return -1;
        }
        ByteBuffer rlimit = AlignedBuffers.allocate(16, 16).order(ByteOrder.nativeOrder());
        if (NativeCalls.libc().getrlimit(Linux.RLIMIT_MEMLOCK, NativeCalls.address(rlimit)) != 0) {
            return -1;
        }
        long cur = rlimit.getLong(0);
        return cur < 0 ? Long.MAX_VALUE : cur; // RLIM_INFINITY is all ones
    }

    /** Locks [address, address+length); returns 0 on success or the errno. */
    static int lock(long address, long length) {
        if (!NativeCalls.available()) {
            return -1;
        }
        LibC libc = NativeCalls.libc();
        return libc.mlock(address, length) == 0 ? 0 : NativeCalls.errno();
    }

    static void unlock(long address, long length) {
        if (NativeCalls.available()) {
            NativeCalls.libc().munlock(address, length);
        }
    }
}
