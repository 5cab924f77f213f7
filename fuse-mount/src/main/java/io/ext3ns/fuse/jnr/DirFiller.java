package io.ext3ns.fuse.jnr;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;

import java.nio.charset.StandardCharsets;

/**
 * Calls libfuse 3's fuse_fill_dir_t, int (*)(void *buf, const char *name, const struct stat *st, off_t off,
 * enum fuse_fill_dir_flags flags), straight through jffi: one native call per name, the name copied into one
 * NUL-terminated scratch block per listing (no closure object, no jnr-ffi internals).
 */
final class Fuse3DirFiller implements AutoCloseable {
    private static final CallContext SIGNATURE = CallContext.getCallContext(Type.SINT,
            new Type[] {Type.POINTER, Type.POINTER, Type.POINTER, Type.SINT64, Type.SINT},
            CallingConvention.DEFAULT, false);
    /** A name is at most 255 bytes (EXT2_NAME_LEN), plus its NUL. */
    private static final int NAME_SPACE = 256;

    private final long function;
    private final long buf;
    private final long name;

    Fuse3DirFiller(long function, long buf) {
        this.function = function;
        this.buf = buf;
        this.name = MemoryIO.getInstance().allocateMemory(NAME_SPACE, false);
        if (name == 0) {
            throw new OutOfMemoryError("no native memory for a directory entry name");
        }
    }

    /** Adds one name (no attributes, offset 0: libfuse collects the whole listing); false when libfuse refused. */
    boolean add(String entry) {
        byte[] bytes = entry.getBytes(StandardCharsets.UTF_8);
        if (bytes.length >= NAME_SPACE) {
            return false;
        }
        MemoryIO.getInstance().putZeroTerminatedByteArray(name, bytes, 0, bytes.length);
        return (int) Invoker.getInstance().invokeN5(SIGNATURE, function, buf, name, 0L, 0L, 0L) == 0;
    }

    @Override
    public void close() {
        MemoryIO.getInstance().freeMemory(name);
    }
}
