package io.ext3ns.fs.cache;

import io.ext3ns.sda.AlignedBuffers;
import io.ext3ns.sda.uring.LinuxCalls;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** mlock/munlock of pool memory, with the RLIMIT_MEMLOCK check that explains a refusal. */
final class MemoryLocker {
    private MemoryLocker() {
    }

    /** Soft RLIMIT_MEMLOCK in bytes, or -1 when unknown (no libc). Long.MAX_VALUE means unlimited. */
    static long memlockLimit() {
        if (!LinuxCalls.available()) {
            return -1;
        }
        ByteBuffer rlimit = AlignedBuffers.allocate(16, 16).order(ByteOrder.nativeOrder());
        if (LinuxCalls.libc().getrlimit(LinuxCalls.RLIMIT_MEMLOCK, LinuxCalls.address(rlimit)) != 0) {
            return -1;
        }
        long cur = rlimit.getLong(0);
        return cur < 0 ? Long.MAX_VALUE : cur; // RLIM_INFINITY is all ones
    }

    /** Locks [address, address+length); returns 0 on success or the errno (-1: no libc). */
    static int lock(long address, long length) {
        if (!LinuxCalls.available()) {
            return -1;
        }
        return LinuxCalls.libc().mlock(address, length) == 0 ? 0 : LinuxCalls.errno();
    }

    static void unlock(long address, long length) {
        if (LinuxCalls.available()) {
            LinuxCalls.libc().munlock(address, length);
        }
    }
}
