package io.ext3ns.fs.api;

/** The POSIX errors the file system reports, with Linux's numbers so that FUSE can pass them on unchanged. */
public enum Errno {
    EPERM(1), ENOENT(2), EIO(5), E2BIG(7), EBADF(9), ENOMEM(12), EACCES(13), EBUSY(16), EEXIST(17), EXDEV(18), ENOTDIR(20),
    EISDIR(21), EINVAL(22), EMFILE(24), EFBIG(27), ENOSPC(28), EROFS(30), EMLINK(31), ERANGE(34),
    ENAMETOOLONG(36), ENOSYS(38), ENOTEMPTY(39), ELOOP(40), ENODATA(61), EOPNOTSUPP(95), EUCLEAN(117);

    private final int code;

    Errno(int code) {
        this.code = code;
    }

    /** Linux errno value (positive). */
    public int code() {
        return code;
    }
}
