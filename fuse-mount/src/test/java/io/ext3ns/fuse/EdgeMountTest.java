package io.ext3ns.fuse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.stream.origin.OriginProcesses;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mount.ext3ns -o origin=URL} on a real FUSE mount: an open through the mount of a title the volume lacks
 * fills it from nginx, the bytes read are the origin's, the title is marked complete in its xattr, a name the origin
 * lacks is ENOENT, and the volume is fsck-clean after the unmount (docs/edge.md).
 */
class EdgeMountTest {
    @Test
    void anOpenThroughTheMountFillsTheTitleFromTheOrigin(@TempDir Path tmp) throws Exception {
        OriginProcesses.announce();
        Path docroot = Files.createDirectories(tmp.resolve("origin"));
        byte[] title = new byte[3 << 20];
        new Random(21).nextBytes(title);
        Files.write(docroot.resolve("title.ts"), title);
        Files.write(docroot.resolve("warm.ts"), title);
        Path image = TestImages.ext3ns(tmp.resolve("img"), 64L << 20, 4096);
        Path mnt = Files.createDirectory(tmp.resolve("mnt"));
        try (OriginProcesses.Child nginx = OriginProcesses.nginx(docroot,
                Files.createDirectories(tmp.resolve("nginx")), "4m")) {
            MountProcess.withMount(image, mnt, "multithread,origin=http://127.0.0.1:" + nginx.port + "/", mount -> {
                assertArrayEquals(title, Files.readAllBytes(mnt.resolve("title.ts")), "the origin's bytes");
                assertThrows(NoSuchFileException.class, () -> Files.size(mnt.resolve("absent.ts")));
                String state = Shell.run(null, List.of("getfattr", "--only-values", "-n", "user.ext3ns.origin",
                        mnt.resolve("title.ts").toString()), 30).out();
                assertTrue(state.startsWith("complete ") || state.startsWith("partial "), state);
                // ext3ns-import --prefetch warms a title through the mount: when it returns, every byte is in
                int status = new picocli.CommandLine(new io.ext3ns.tools.ImportMain()).execute("-q", "--prefetch",
                        "/warm.ts", "/absent.ts", mnt.toString());
                assertEquals(1, status, "one of the two titles is not at the origin");
                assertEquals(title.length, Files.size(mnt.resolve("warm.ts")));
                awaitComplete(mnt.resolve("title.ts"));
                awaitComplete(mnt.resolve("warm.ts"));
            });
        }
        Path again = Files.createDirectory(tmp.resolve("mnt2"));
        // mounted again without an origin: the title is an ordinary file of the volume now
        MountProcess.withMount(image, again, "ro", mount -> {
            assertArrayEquals(title, Files.readAllBytes(again.resolve("title.ts")));
            String state = Shell.run(null, List.of("getfattr", "--only-values", "-n", "user.ext3ns.origin",
                    again.resolve("title.ts").toString()), 30).out();
            assertTrue(state.startsWith("complete "), "marked complete after the fill: " + state);
            assertArrayEquals(title, Files.readAllBytes(again.resolve("warm.ts")), "the prefetched title");
        });
        assertEquals(title.length, Files.size(docroot.resolve("title.ts")));
    }

    /** The fill marks the title complete (after its last chunk is synced): polled with a deadline. */
    private static void awaitComplete(Path file) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        String state = "";
        while (System.nanoTime() < deadline) {
            state = Shell.run(null, List.of("getfattr", "--only-values", "-n", "user.ext3ns.origin",
                    file.toString()), 30).out();
            if (state.startsWith("complete ")) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(file + " not marked complete within 60 s: " + state);
    }
}
