package io.ext3ns.fs.format;

/** The requested file system cannot be made on this device (too small, too many inodes, wrong alignment, ...). */
public class FormatException extends Exception {
    public FormatException(String message) {
        super(message);
    }
}
