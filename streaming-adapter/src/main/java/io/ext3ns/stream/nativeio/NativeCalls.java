package io.ext3ns.stream.nativeio;

import java.nio.ByteBuffer;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/** Loads libc once and offers errno and the address of a direct buffer. */
public final class NativeCalls {
    private static final Holder HOLDER = new Holder();

    private NativeCalls() {
    }

    private static final class Holder {
        final LibC libc;
        final Runtime runtime;
        final Throwable failure;

        Holder() {
            LibC lib = null;
            Runtime rt = null;
            Throwable fail = null;
            try {
                if (!System.getProperty("os.name", "").toLowerCase().contains("linux")
                        || !"64".equals(System.getProperty("sun.arch.data.model"))) {
                    throw new UnsupportedOperationException("native send paths need 64-bit Linux");
                }
                lib = LibraryLoader.create(LibC.class).load("c");
                rt = Runtime.getRuntime(lib);
            } catch (Throwable t) {
                fail = t;
            }
            libc = lib;
            runtime = rt;
            failure = fail;
        }
    }

    /** True when libc could be bound; otherwise {@link #libc()} throws with the reason. */
    public static boolean available() {
        return HOLDER.libc != null;
    }

    public static LibC libc() {
        if (HOLDER.libc == null) {
            throw new UnsupportedOperationException("libc is not available: " + HOLDER.failure, HOLDER.failure);
        }
        return HOLDER.libc;
    }

    /** errno of the last native call made by this thread. */
    public static int errno() {
        libc();
        return HOLDER.runtime.getLastError();
    }

    public static String describe(int errno) {
        return libc().strerror(errno) + " (errno " + errno + ")";
    }

    /** Native address of a direct buffer's first byte (position ignored). */
    public static long address(ByteBuffer direct) {
        if (!direct.isDirect()) {
            throw new IllegalArgumentException("not a direct buffer");
        }
        libc();
        return HOLDER.runtime.getMemoryManager().newPointer(direct).address();
    }
}
