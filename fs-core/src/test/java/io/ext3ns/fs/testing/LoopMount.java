package io.ext3ns.fs.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;

/**
 * A kernel mount of an image through a loop device (mount -o loop,ro -t TYPE) that {@link #close} always undoes:
 * unmount (lazily if busy) and detach every loop device still backed by the image.
 */
public final class LoopMount implements AutoCloseable {
    private final Path image;
    private final Path mountPoint;
    private final ExternalTool.Result mount;

    private LoopMount(Path image, Path mountPoint, ExternalTool.Result mount) {
        this.image = image;
        this.mountPoint = mountPoint;
        this.mount = mount;
    }

    /** True when the tests run as root (mount and losetup need it). */
    public static boolean possible() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Mounts {@code image} read-only at a new directory {@code mountPoint}; check {@link #mounted()}. */
    public static LoopMount readOnly(Path image, String type, Path mountPoint) throws IOException, InterruptedException {
        Files.createDirectories(mountPoint);
        ExternalTool.Result r = ExternalTool.run("mount", "-o", "loop,ro", "-t", type, image.toString(),
                mountPoint.toString());
        return new LoopMount(image, mountPoint, r);
    }

    /** Mounts {@code image} read-write (mount -o loop -t TYPE) at a new directory {@code mountPoint}. */
    public static LoopMount readWrite(Path image, String type, Path mountPoint) throws IOException, InterruptedException {
        Files.createDirectories(mountPoint);
        ExternalTool.Result r = ExternalTool.run("mount", "-o", "loop", "-t", type, image.toString(),
                mountPoint.toString());
        return new LoopMount(image, mountPoint, r);
    }

    public boolean mounted() {
        return mount.exitCode() == 0;
    }

    /** What mount said (for assertion messages). */
    public ExternalTool.Result result() {
        return mount;
    }

    public Path path() {
        return mountPoint;
    }

    /** Asserts the mounted volume holds only an empty lost+found and the kernel mounted it as {@code type}. */
    public void assertEmptyVolume(String type) throws IOException, InterruptedException {
        Assertions.assertTrue(mounted(), mount.toString());
        List<String> names;
        try (Stream<Path> s = Files.list(mountPoint)) {
            names = s.map(p -> p.getFileName().toString()).toList();
        }
        Assertions.assertEquals(List.of("lost+found"), names);
        try (Stream<Path> s = Files.list(mountPoint.resolve("lost+found"))) {
            Assertions.assertEquals(0, s.count(), "lost+found is empty");
        }
        String fsType = ExternalTool.run("findmnt", "-n", "-o", "FSTYPE", mountPoint.toString()).output().trim();
        Assertions.assertEquals(type, fsType);
    }

    /** Loop devices backed by the image, as losetup -j lists them. */
    public static String loopDevicesOf(Path image) throws IOException, InterruptedException {
        return ExternalTool.run("losetup", "-j", image.toString()).output().trim();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (mounted() && ExternalTool.run("umount", mountPoint.toString()).exitCode() != 0) {
            ExternalTool.run("umount", "-l", mountPoint.toString());
        }
        for (String line : loopDevicesOf(image).split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.startsWith("/dev/loop")) {
                ExternalTool.run("losetup", "-d", line.substring(0, colon));
            }
        }
    }
}
