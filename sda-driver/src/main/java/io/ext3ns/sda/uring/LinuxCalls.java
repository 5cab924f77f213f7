package io.ext3ns.sda.uring;

import com.kenai.jffi.MemoryIO;
import jnr.ffi.LibraryLoader;

import java.nio.Buffer;
import java.nio.ByteBuffer;

/**
 * The few Linux calls the io_uring engine and the huge-page arena need, through jnr-ffi (already on the classpath
 * for member locking). Raw addresses travel as {@code long}: the memory they name is mapped and owned by us.
 */
public final class LinuxCalls {
    /** libc entry points; errno is saved by jnr-ffi after every call ({@link #errno()}). */
    public interface LibC {
        long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

        /** Declared with a Pointer hint: jnr-ffi 2.2 passes a (long, long, int, int, int, long) call wrongly here. */
        jnr.ffi.Pointer mmap(jnr.ffi.Pointer hint, long length, int protection, int flags, int fd, long offset);

        int munmap(long address, long length);

        int madvise(long address, long length, int advice);

        int eventfd(int initialValue, int flags);

        int eventfd_write(int fd, long value);

        int open(String path, int flags);

        int close(int fd);

        String strerror(int errno);

        int mlock(long address, long length);

        int munlock(long address, long length);

        /** {@code rlimit}: the address of a struct rlimit (two 64-bit words). */
        int getrlimit(int resource, long rlimit);
    }

    public static final int RLIMIT_MEMLOCK = 8;

    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_POPULATE = 0x8000;
    public static final long MAP_FAILED = -1L;
    public static final int MADV_HUGEPAGE = 14;
    public static final int O_RDONLY = 0;
    public static final int O_RDWR = 2;
    public static final int O_CLOEXEC = 0x80000;
    /** x86-64 and arm64 value (the generic and x86 ABIs agree on it). */
    public static final int O_DIRECT = 0x4000;
    public static final int EFD_CLOEXEC = 0x80000;
    public static final int EPERM = 1;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int EBUSY = 16;
    public static final int EINVAL = 22;
    public static final int ENOSYS = 38;

    private LinuxCalls() {
    }

    private static final class Holder {
        static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
        static final MemoryIO MEMORY = MemoryIO.getInstance();
    }

    /** True when libc can be bound (64-bit Linux with jnr-ffi working); the calls here throw otherwise. */
    public static boolean available() {
        try {
            return libc() != null;
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }

    /** Loads libc on first use; throws {@link LinkageError} where jnr-ffi cannot. */
    public static LibC libc() {
        return Holder.LIBC;
    }

    /** mmap at an address of the kernel's choice; {@link #MAP_FAILED} on failure (then see {@link #errno()}). */
    public static long mmap(long length, int protection, int flags, int fd, long offset) {
        jnr.ffi.Pointer mapped = Holder.LIBC.mmap(null, length, protection, flags, fd, offset);
        return mapped == null ? MAP_FAILED : mapped.address();
    }

    /** errno of the last call made through {@link #libc()} on this thread. */
    public static int errno() {
        return jnr.ffi.Runtime.getRuntime(Holder.LIBC).getLastError();
    }

    /** "Input/output error (errno 5)". */
    public static String describe(int errno) {
        return Holder.LIBC.strerror(errno) + " (errno " + errno + ")";
    }

    /** The native address of a direct buffer's element 0 (its position is not added). */
    public static long address(Buffer direct) {
        if (!direct.isDirect()) {
            throw new IllegalArgumentException("not a direct buffer");
        }
        return Holder.MEMORY.getDirectBufferAddress(direct);
    }

    /** A direct buffer over {@code length} bytes of native memory we mapped at {@code address}. */
    public static ByteBuffer view(long address, int length) {
        return Holder.MEMORY.newDirectByteBuffer(address, length);
    }
}
