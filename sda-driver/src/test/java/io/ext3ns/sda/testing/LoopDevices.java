package io.ext3ns.sda.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test support (used by the sda-driver and mkfs-tool tests): loop devices over backing files, attached with losetup;
 * {@link #close()} detaches every one it attached, so a try-with-resources leaves none behind, also on failure.
 */
public final class LoopDevices implements AutoCloseable {
    private final List<Path> devices = new ArrayList<>();

    /** True when this process may attach loop devices (root, losetup present). */
    public static boolean available() {
        return "root".equals(System.getProperty("user.name")) && Files.exists(Path.of("/dev/loop-control"))
                && (Files.isExecutable(Path.of("/usr/sbin/losetup")) || Files.isExecutable(Path.of("/sbin/losetup")));
    }

    /** Attaches {@code backing} to a free loop device and returns the device path. */
    public Path attach(Path backing) throws IOException, InterruptedException {
        Path device = Path.of(run("losetup", "--find", "--show", backing.toString()).trim());
        devices.add(device);
        return device;
    }

    /** Attaches {@code backing} read-only (losetup -r): the device opens for writing, but every write fails. */
    public Path attachReadOnly(Path backing) throws IOException, InterruptedException {
        Path device = Path.of(run("losetup", "--read-only", "--find", "--show", backing.toString()).trim());
        devices.add(device);
        return device;
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out.trim());
        }
        return out;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        IOException first = null;
        for (Path device : devices) {
            try {
                run("losetup", "--detach", device.toString());
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        devices.clear();
        if (first != null) {
            throw first;
        }
    }
}
