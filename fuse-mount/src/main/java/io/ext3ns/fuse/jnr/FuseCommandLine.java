package io.ext3ns.fuse.jnr;

import io.ext3ns.fuse.ops.FuseBackend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What both libfuse versions take alike: the -o option string, and unmounting through fusermount. */
final class FuseCommandLine {
    private static final Logger log = LoggerFactory.getLogger(FuseCommandLine.class);

    private FuseCommandLine() {
    }

    /**
     * The -o value: {@code options}, then subtype (which makes the mount's type "fuse.ext3ns", as mount -t
     * fuse.ext3ns and fstab name it) and fsname (the source shown in /proc/mounts).
     */
    static String options(List<String> options, String fsName) {
        String own = "subtype=" + FuseBackend.SUBTYPE + ",fsname=" + escapeOption(fsName);
        return options.isEmpty() ? own : String.join(",", options) + "," + own;
    }

    /** libfuse's option parser splits at ',' unless escaped with a backslash (member lists contain commas). */
    static String escapeOption(String value) {
        return value.replace("\\", "\\\\").replace(",", "\\,");
    }

    /** fusermount -u, or a lazy umount if the mount is busy; libfuse's loop then ends and serve returns. */
    static void unmount(Path mountPoint) {
        String mp = mountPoint.toString();
        if (!run("fusermount", "-u", mp)) {
            // Busy (files still open): detach now; libfuse's loop ends when the last open file is closed.
            log.warn("{} is busy; unmounting lazily", mp);
            run("umount", "-l", mp);
        }
    }

    private static boolean run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            if (p.exitValue() != 0) {
                log.info("{}: {}", String.join(" ", command), out);
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            log.warn("cannot run {}: {}", command[0], e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
