package io.ext3ns.fuse;

import io.ext3ns.stream.nativeio.LibC;
import io.ext3ns.stream.nativeio.NativeCalls;
import io.ext3ns.stream.nativeio.SystemdNotify;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What systemd does for a Type=notify service, for tests: a bound AF_UNIX datagram socket whose path goes into the
 * service's $NOTIFY_SOCKET, and a receive of the next message that gives up when the service exits or a deadline
 * passes (so a service that never notifies fails the test instead of hanging it).
 */
final class NotifySocket implements AutoCloseable {
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;
    private static final int EAGAIN = 11;

    final Path path;
    private final LibC libc = NativeCalls.libc();
    private final int fd;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(4096);

    NotifySocket(Path path) throws IOException {
        this.path = path;
        fd = libc.socket(AF_UNIX, SOCK_DGRAM, 0);
        if (fd < 0) {
            throw new IOException("socket: " + NativeCalls.describe(NativeCalls.errno()));
        }
        byte[] p = path.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer addr = ByteBuffer.allocateDirect(110).order(ByteOrder.nativeOrder());
        addr.putShort(0, (short) AF_UNIX).put(2, p);
        ByteBuffer timeval = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
        timeval.putLong(0, 1).putLong(8, 0); // recv returns every second to look at the service process
        if (libc.bind(fd, NativeCalls.address(addr), 2 + p.length + 1) != 0
                || libc.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, NativeCalls.address(timeval), 16) != 0) {
            int errno = NativeCalls.errno();
            libc.close(fd);
            throw new IOException("bind " + path + ": " + NativeCalls.describe(errno));
        }
    }

    /** The next datagram; fails when {@code service} exits or none comes within {@code timeoutSeconds}. */
    String receive(Process service, int timeoutSeconds) throws IOException {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        while (true) {
            long n = libc.recv(fd, NativeCalls.address(buf), buf.capacity(), 0);
            if (n >= 0) {
                byte[] out = new byte[(int) n];
                buf.get(0, out);
                return new String(out, StandardCharsets.UTF_8);
            }
            int errno = NativeCalls.errno();
            if (errno != EAGAIN) {
                throw new IOException("recv: " + NativeCalls.describe(errno));
            }
            if (service != null && !service.isAlive()) {
                throw new IOException("the service exited (" + service.exitValue() + ") without notifying");
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("no notification within " + timeoutSeconds + " s");
            }
        }
    }

    /**
     * java JVM_OPTIONS -cp (this class path) MAIN ARGS... with {@code env} and $NOTIFY_SOCKET set to this socket, as
     * systemd starts a Type=notify service; output to {@code log}.
     */
    Process startService(List<String> jvmOptions, List<String> mainAndArgs, Map<String, String> env, Path log)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:MaxDirectMemorySize=2g", "-XX:TieredStopAtLevel=1"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path")));
        cmd.addAll(mainAndArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        pb.environment().put(SystemdNotify.ENV, path.toString());
        return pb.start();
    }

    @Override
    public void close() throws IOException {
        libc.close(fd);
        Files.deleteIfExists(path);
    }
}
