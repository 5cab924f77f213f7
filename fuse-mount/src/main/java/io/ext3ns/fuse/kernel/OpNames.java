package io.ext3ns.fuse.kernel;

/** Opcode to the operation name /metrics uses (as the libfuse adapters name their callbacks). */
final class OpNames {
    private static final String[] NAMES = new String[64];

    static {
        NAMES[FuseProtocol.LOOKUP] = "lookup";
        NAMES[FuseProtocol.GETATTR] = "getattr";
        NAMES[FuseProtocol.SETATTR] = "setattr";
        NAMES[FuseProtocol.READLINK] = "readlink";
        NAMES[FuseProtocol.SYMLINK] = "symlink";
        NAMES[FuseProtocol.MKNOD] = "mknod";
        NAMES[FuseProtocol.MKDIR] = "mkdir";
        NAMES[FuseProtocol.UNLINK] = "unlink";
        NAMES[FuseProtocol.RMDIR] = "rmdir";
        NAMES[FuseProtocol.RENAME] = "rename";
        NAMES[FuseProtocol.RENAME2] = "rename";
        NAMES[FuseProtocol.LINK] = "link";
        NAMES[FuseProtocol.OPEN] = "open";
        NAMES[FuseProtocol.READ] = "read";
        NAMES[FuseProtocol.WRITE] = "write";
        NAMES[FuseProtocol.STATFS] = "statfs";
        NAMES[FuseProtocol.RELEASE] = "release";
        NAMES[FuseProtocol.FSYNC] = "fsync";
        NAMES[FuseProtocol.SETXATTR] = "setxattr";
        NAMES[FuseProtocol.GETXATTR] = "getxattr";
        NAMES[FuseProtocol.LISTXATTR] = "listxattr";
        NAMES[FuseProtocol.REMOVEXATTR] = "removexattr";
        NAMES[FuseProtocol.FLUSH] = "flush";
        NAMES[FuseProtocol.OPENDIR] = "opendir";
        NAMES[FuseProtocol.READDIR] = "readdir";
        NAMES[FuseProtocol.READDIRPLUS] = "readdirplus";
        NAMES[FuseProtocol.RELEASEDIR] = "releasedir";
        NAMES[FuseProtocol.FSYNCDIR] = "fsyncdir";
        NAMES[FuseProtocol.ACCESS] = "access";
        NAMES[FuseProtocol.CREATE] = "create";
        NAMES[FuseProtocol.DESTROY] = "destroy";
        NAMES[FuseProtocol.FALLOCATE] = "fallocate";
        NAMES[FuseProtocol.LSEEK] = "lseek";
    }

    private OpNames() {
    }

    static String of(int opcode) {
        String n = opcode >= 0 && opcode < NAMES.length ? NAMES[opcode] : null;
        return n != null ? n : "other";
    }
}
