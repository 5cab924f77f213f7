package io.ext3ns.fuse.jnr;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;

/** The two entry points of libfuse 3's high-level API that the adapter calls (symbols versioned FUSE_3.0). */
public interface LibFuse3 {
    /** fuse_main_real(argc, argv, ops, sizeof ops, private_data): mounts, runs the loop, returns at unmount. */
    int fuse_main_real(int argc, String[] argv, Pointer operations, long operationsSize, Pointer privateData);

    /** The context (uid, gid, pid of the caller) of the request being served by this thread. */
    Pointer fuse_get_context();

    /** libfuse3.so.3, or null (with the reason in {@code why}) where it is not installed. */
    static LibFuse3 loadOrNull(StringBuilder why) {
        try {
            return LibraryLoader.create(LibFuse3.class).failImmediately().load("libfuse3.so.3");
        } catch (LinkageError | RuntimeException e) {
            why.append(e.getMessage());
            return null;
        }
    }
}
