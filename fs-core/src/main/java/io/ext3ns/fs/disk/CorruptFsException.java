package io.ext3ns.fs.disk;

import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FsException;

/** An on-disk structure failed validation: the message names the structure, the field and the bad value. */
public class CorruptFsException extends FsException {
    public CorruptFsException(String message) {
        super(Errno.EUCLEAN, message);
    }
}
