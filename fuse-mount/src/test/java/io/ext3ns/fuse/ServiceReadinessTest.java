package io.ext3ns.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.stream.nativeio.SystemdNotify;
import io.ext3ns.stream.server.ServeMain;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * As systemd runs them (Type=notify units): ext3ns-serve and mount.ext3ns -f, started with $NOTIFY_SOCKET and
 * $EXT3NS_CONF, send READY=1 only once their ports listen / the mount is live and its server's port listens, with
 * members, ports and mount options (pool size included) taken from the configuration file; both send STOPPING=1 when they stop, and the mount exits 0.
 */
class ServiceReadinessTest {
    private static final int TIMEOUT_S = 90;

    @Test
    void notifyReachesPathAndAbstractSockets(@TempDir Path tmp) throws Exception {
        try (NotifySocket socket = new NotifySocket(tmp.resolve("notify"))) {
            SystemdNotify.send(socket.path.toString(), "READY=1\nSTATUS=x");
            assertEquals("READY=1\nSTATUS=x", socket.receive(null, TIMEOUT_S));
        }
        IOException bad = assertThrows(IOException.class, () -> SystemdNotify.send("relative/path", "READY=1"));
        assertTrue(bad.getMessage().contains("NOTIFY_SOCKET"), bad.getMessage());
    }

    @Test
    void serveWithMembersAndPortsFromTheConfigIsReadyOnceItListens(@TempDir Path tmp) throws Exception {
        Path image = TestImages.ext3ns(tmp.resolve("img"), 64L << 20, 4096);
        int http = freePort();
        Path conf = tmp.resolve("ext3ns.conf");
        Files.writeString(conf, "serve.members = " + image + "\nserve.rtsp = -1\nserve.http = " + http
                + "\nserve.pool-mb = 32\n");
        try (NotifySocket socket = new NotifySocket(tmp.resolve("notify"))) {
            Process serve = start(List.of(ServeMain.class.getName()), conf, socket, tmp.resolve("serve.log"));
            try {
                String message = socket.receive(serve, TIMEOUT_S);
                assertTrue(message.startsWith("READY=1\n") && message.contains("HTTP port " + http), message);
                assertTrue(listens(http), "READY=1 before port " + http + " listens");
            } finally {
                serve.destroy();
                serve.waitFor(TIMEOUT_S, TimeUnit.SECONDS);
            }
            assertEquals("STOPPING=1", socket.receive(null, TIMEOUT_S));
        }
    }

    @Test
    void foregroundMountIsReadyOnceLiveAndStopsWhenUnmounted(@TempDir Path tmp) throws Exception {
        Path image = TestImages.ext3ns(tmp.resolve("img"), 64L << 20, 4096);
        Path mnt = Files.createDirectory(tmp.resolve("mnt"));
        Path conf = tmp.resolve("ext3ns.conf");
        int http = freePort();
        // the mount's own streaming server too (a small pinned pool keeps the test quick): READY waits for its port
        Files.writeString(conf, "mount.ro = true\nmount.cache = 16M\nmount.http = " + http + "\nmount.pool = 8M\n");
        try (NotifySocket socket = new NotifySocket(tmp.resolve("notify"))) {
            List<String> cmd = MountProcess.command(image.toString(), mnt.toString(), "-f");
            Process mount = start(cmd.subList(cmd.indexOf(MountMain.class.getName()), cmd.size()), conf, socket,
                    tmp.resolve("mount.log"));
            try {
                String message = socket.receive(mount, TIMEOUT_S);
                assertTrue(message.startsWith("READY=1\n") && message.contains("mounted "), message);
                String line = mountLine(mnt);
                assertTrue(line != null, "READY=1 before the mount is in the mount table");
                assertTrue(line.split(" ")[3].matches("ro(,.*)?"), "the configuration's ro is not applied: " + line);
                assertTrue(listens(http), "READY=1 before the mount's HTTP port " + http + " listens");
                assertEquals(0, MountProcess.fusermountUnmount(mnt).exit());
                assertEquals("STOPPING=1", socket.receive(mount, TIMEOUT_S));
                assertTrue(mount.waitFor(TIMEOUT_S, TimeUnit.SECONDS), "mount process still running");
                assertEquals(0, mount.exitValue(), Files.readString(tmp.resolve("mount.log")));
            } finally {
                MountProcess.endService(mount, mnt);
            }
        }
        TestImages.assertFsckClean(image);
    }

    private static Process start(List<String> mainAndArgs, Path conf, NotifySocket socket, Path log)
            throws IOException {
        return socket.startService(List.of(), mainAndArgs, java.util.Map.of("EXT3NS_CONF", conf.toString()), log);
    }

    private static String mountLine(Path mnt) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mounts")).stream()
                .filter(l -> l.split(" ")[1].equals(mnt.toString())).findFirst().orElse(null);
    }

    private static boolean listens(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
