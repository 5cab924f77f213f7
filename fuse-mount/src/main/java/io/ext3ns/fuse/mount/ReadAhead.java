package io.ext3ns.fuse.mount;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Sets a mount's read-ahead through /sys/class/bdi/MAJ:MIN/read_ahead_kb. libfuse 2 can only lower the kernel's
 * 128 KiB default (max_readahead), and a media file system wants whole blocks read ahead.
 */
final class ReadAhead {
    private ReadAhead() {
    }

    /** Sets read_ahead_kb of the device backing {@code mountPoint}; returns the sysfs file written. */
    static Path set(Path mountPoint, int kb) throws IOException {
        long dev = ((Number) Files.getAttribute(mountPoint, "unix:dev")).longValue();
        // glibc's major()/minor() split of a 64-bit dev_t.
        long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
        long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
        Path knob = Path.of("/sys/class/bdi", major + ":" + minor, "read_ahead_kb");
        Files.writeString(knob, Integer.toString(kb), StandardCharsets.US_ASCII);
        return knob;
    }
}
