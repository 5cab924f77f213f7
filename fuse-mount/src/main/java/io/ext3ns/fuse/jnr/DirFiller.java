package io.ext3ns.fuse.jnr;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;
import io.ext3ns.fs.util.FileNames;

/**
 * Calls libfuse's fuse_fill_dir_t straight through jffi: one native call per name, the name's bytes
 * ({@link FileNames}: exactly the bytes stored, UTF-8 or not) copied into one NUL-terminated scratch block per listing
 * (no closure object, no jnr-ffi internals, no charset). libfuse 3's filler is int (*)(void *buf, const char *name,
 * const struct stat *st, off_t off, enum fuse_fill_dir_flags flags); libfuse 2's has no flags.
 */
final class DirFiller implements AutoCloseable {
    private static final CallContext LIBFUSE3 = CallContext.getCallContext(Type.SINT,
            new Type[] {Type.POINTER, Type.POINTER, Type.POINTER, Type.SINT64, Type.SINT},
            CallingConvention.DEFAULT, false);
    private static final CallContext LIBFUSE2 = CallContext.getCallContext(Type.SINT,
            new Type[] {Type.POINTER, Type.POINTER, Type.POINTER, Type.SINT64},
            CallingConvention.DEFAULT, false);
    /** A name is at most 255 bytes (EXT2_NAME_LEN), plus its NUL. */
    private static final int NAME_SPACE = 256;

    private final boolean withFlags;
    private final long function;
    private final long buf;
    private final long name;

    private DirFiller(boolean withFlags, long function, long buf) {
        this.withFlags = withFlags;
        this.function = function;
        this.buf = buf;
        this.name = MemoryIO.getInstance().allocateMemory(NAME_SPACE, false);
        if (name == 0) {
            throw new OutOfMemoryError("no native memory for a directory entry name");
        }
    }

    static DirFiller libfuse3(long function, long buf) {
        return new DirFiller(true, function, buf);
    }

    static DirFiller libfuse2(long function, long buf) {
        return new DirFiller(false, function, buf);
    }

    /** Adds one name (no attributes, offset 0: libfuse collects the whole listing); false when libfuse refused. */
    boolean add(String entry) {
        byte[] bytes = FileNames.encode(entry);
        if (bytes.length >= NAME_SPACE) {
            return false;
        }
        MemoryIO.getInstance().putZeroTerminatedByteArray(name, bytes, 0, bytes.length);
        long answer = withFlags ? Invoker.getInstance().invokeN5(LIBFUSE3, function, buf, name, 0L, 0L, 0L)
                : Invoker.getInstance().invokeN4(LIBFUSE2, function, buf, name, 0L, 0L);
        return (int) answer == 0;
    }

    @Override
    public void close() {
        MemoryIO.getInstance().freeMemory(name);
    }
}
