package io.ext3ns.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real mount made by a separate JVM running {@link MountMain} from the test class path, as bin/mount.ext3ns does.
 * {@link #close()} always leaves the mount point unmounted and the process gone, whatever state the test left.
 */
final class MountProcess implements AutoCloseable {
    private static final long LIVE_TIMEOUT_MS = 60_000;
    private static final long EXIT_TIMEOUT_S = 90;
    static final String TRANSPORT_PROPERTY = "ext3ns.test.transport";

    final Path mountPoint;
    final Path log;
    final Process process;

    private MountProcess(Path mountPoint, Path log, Process process) {
        this.mountPoint = mountPoint;
        this.log = log;
        this.process = process;
    }

    /** What a test does while a volume is mounted. */
    @FunctionalInterface
    interface Body {
        void run(MountProcess mount) throws Exception;
    }

    /**
     * Mounts {@code image}, runs {@code body}, unmounts (the mount process must exit 0 after flushing), then checks
     * that e2fsck finds the image clean.
     */
    static void withMount(Path image, Path mountPoint, String options, Body body) throws Exception {
        try (MountProcess mount = mount(image.toString(), mountPoint, options)) {
            body.run(mount);
            org.junit.jupiter.api.Assertions.assertEquals(0, mount.unmount(), mount.log());
        }
        TestImages.assertFsckClean(image);
    }

    /** The command line that runs MountMain with this JVM's class path. */
    static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-XX:MaxDirectMemorySize=2g", "-XX:+UseParallelGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), MountMain.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * The options with the FUSE transport this test run serves through: the build runs the whole suite once per
     * transport (surefire executions setting {@value #TRANSPORT_PROPERTY}), so that no test of semantics can pass on
     * one transport and skip another. A test that names a transport itself keeps it.
     */
    static String withTransport(String options) {
        String transport = System.getProperty(TRANSPORT_PROPERTY, "");
        if (transport.isEmpty() || options.contains("transport=") || options.contains("libfuse=")) {
            return options;
        }
        return options.isEmpty() ? "transport=" + transport : options + ",transport=" + transport;
    }

    /** Mounts in the foreground (-f) and waits until the mount answers. */
    static MountProcess mount(String source, Path mountPoint, String options) throws Exception {
        Files.createDirectories(mountPoint);
        Path log = Files.createTempFile("ext3ns-mount-test", ".log");
        List<String> args = new ArrayList<>(List.of(source, mountPoint.toString(), "-f"));
        options = withTransport(options);
        if (!options.isEmpty()) {
            args.addAll(List.of("-o", options));
        }
        Process p = new ProcessBuilder(command(args.toArray(String[]::new))).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        MountProcess mount = new MountProcess(mountPoint, log, p);
        try {
            mount.awaitLive();
        } catch (Throwable t) {
            mount.close();
            throw t;
        }
        return mount;
    }

    private void awaitLive() throws Exception {
        long deadline = System.currentTimeMillis() + LIVE_TIMEOUT_MS;
        while (!isMounted(mountPoint) || !answers()) {
            if (!process.isAlive()) {
                throw new AssertionError("mount process exited " + process.exitValue() + ":\n" + log());
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("mount did not come up:\n" + log());
            }
            Thread.sleep(25);
        }
    }

    private boolean answers() {
        try {
            Files.readAttributes(mountPoint, "unix:ino");
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static boolean isMounted(Path mountPoint) throws IOException {
        String mp = mountPoint.toAbsolutePath().normalize().toString();
        return Files.readAllLines(Path.of("/proc/self/mounts")).stream()
                .map(l -> l.split(" ")).anyMatch(f -> f.length > 2 && f[1].equals(mp));
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** fusermount -u, then waits for the mount process to flush and exit; returns its exit status. */
    int unmount() throws Exception {
        Shell.Result r = fusermountUnmount(mountPoint);
        if (r.exit() != 0) {
            // Seen intermittently on a loaded machine (EBUSY): say which processes held the mount then.
            Shell.Result holders = Shell.run(null, List.of("fuser", "-vm", mountPoint.toString()), 30);
            throw new AssertionError("fusermount -u failed: " + r.err() + "\nprocesses using the mount (fuser -vm):\n"
                    + holders.out() + holders.err());
        }
        return awaitExit();
    }

    /**
     * fusermount -u, retried while it says busy (for up to 30 s). EBUSY with nothing left open: the kernel holds the
     * mount until the daemon has answered the RELEASE of a file closed just before (FUSE releases asynchronously),
     * which a loaded machine can delay; a file a test really left open still fails, after the deadline.
     */
    static Shell.Result fusermountUnmount(Path mountPoint) throws Exception {
        Shell.Result r = Shell.run(null, List.of("fusermount", "-u", mountPoint.toString()), 60);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (r.exit() != 0 && r.err().contains("busy") && System.nanoTime() < deadline) {
            Thread.sleep(100);
            r = Shell.run(null, List.of("fusermount", "-u", mountPoint.toString()), 60);
        }
        return r;
    }

    /** Sends SIGTERM (as kill(1) or a shutdown does) and waits for the process to unmount and exit. */
    int terminate() throws Exception {
        process.destroy();
        return awaitExit();
    }

    /** SIGKILL: the process dies without unmounting, leaving a stale mount. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    private int awaitExit() throws Exception {
        if (!process.waitFor(EXIT_TIMEOUT_S, TimeUnit.SECONDS)) {
            throw new AssertionError("mount process still running " + EXIT_TIMEOUT_S + " s after unmount:\n" + log());
        }
        return process.exitValue();
    }

    @Override
    public void close() throws Exception {
        try {
            if (process.isAlive() && isMounted(mountPoint)) {
                Shell.run(null, List.of("fusermount", "-u", mountPoint.toString()), 60);
                process.waitFor(EXIT_TIMEOUT_S, TimeUnit.SECONDS);
            }
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
            forceUnmount(mountPoint);
            Files.deleteIfExists(log);
        }
    }

    /**
     * The finally of a test that ran the mount as a service process of its own: ends the process if the test did not
     * see it exit, and unmounts whatever is left at {@code mountPoint}.
     */
    static void endService(Process mount, Path mountPoint) throws Exception {
        if (mount.isAlive()) {
            mount.destroy();
            mount.waitFor(EXIT_TIMEOUT_S, TimeUnit.SECONDS);
        }
        forceUnmount(mountPoint);
    }

    /** Last resort for whatever a test left mounted at {@code mountPoint}. */
    static void forceUnmount(Path mountPoint) throws Exception {
        if (isMounted(mountPoint)) {
            Shell.run(null, List.of("fusermount", "-u", mountPoint.toString()), 60);
        }
        if (isMounted(mountPoint)) {
            Shell.run(null, List.of("umount", "-l", mountPoint.toString()), 60);
        }
    }
}
