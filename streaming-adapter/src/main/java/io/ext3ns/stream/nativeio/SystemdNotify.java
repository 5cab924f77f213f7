package io.ext3ns.stream.nativeio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * sd_notify(3)'s protocol: one datagram of "VAR=value" lines to the AF_UNIX socket $NOTIFY_SOCKET names (a path,
 * or "@name" in the abstract namespace). systemd's Type=notify units start ext3ns-serve and mount.ext3ns -f with it
 * set; elsewhere it is unset and every call is a no-op. Sent from the main process itself, so the units need no
 * NotifyAccess=all (systemd-notify(1) as a child would).
 */
public final class SystemdNotify {
    public static final String ENV = "NOTIFY_SOCKET";
    private static final Logger log = LoggerFactory.getLogger(SystemdNotify.class);
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int SUN_PATH_MAX = 108;

    private SystemdNotify() {
    }

    /** READY=1 with a status line, once the service does what it is for (ports listen, the mount is live). */
    public static void ready(String status) {
        notifyQuietly("READY=1\nSTATUS=" + status + "\nMAINPID=" + ProcessHandle.current().pid());
    }

    /** STOPPING=1: the service has begun to shut down (unmount and flush may take a while). */
    public static void stopping() {
        notifyQuietly("STOPPING=1");
    }

    private static void notifyQuietly(String state) {
        String socket = System.getenv(ENV);
        if (socket == null || socket.isEmpty()) {
            return;
        }
        try {
            send(socket, state);
        } catch (IOException | RuntimeException e) { // the service works on; systemd will time it out and say so
            log.warn("cannot notify systemd at {}: {}", socket, e.getMessage());
        }
    }

    /** Sends {@code state} as one datagram to the socket {@code socket} ("/path" or "@abstract"). */
    public static void send(String socket, String state) throws IOException {
        byte[] path = socket.getBytes(StandardCharsets.UTF_8);
        if (path.length == 0 || path.length >= SUN_PATH_MAX || path[0] != '/' && path[0] != '@') {
            throw new IOException("$" + ENV + " is not an absolute path or @abstract name: " + socket);
        }
        if (path[0] == '@') {
            path[0] = 0;
        }
        ByteBuffer addr = ByteBuffer.allocateDirect(2 + SUN_PATH_MAX).order(ByteOrder.nativeOrder());
        addr.putShort((short) AF_UNIX).put(path);
        int addrLen = 2 + path.length + (path[0] == 0 ? 0 : 1); // a path ends with NUL; an abstract name does not
        byte[] message = state.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocateDirect(message.length).put(message);
        addr.clear(); // the native address of a buffer is taken at its position
        buf.clear();
        LibC libc = NativeCalls.libc();
        int fd = libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new IOException("socket: " + NativeCalls.describe(NativeCalls.errno()));
        }
        try {
            if (libc.connect(fd, NativeCalls.address(addr), addrLen) != 0) {
                throw new IOException("connect " + socket + ": " + NativeCalls.describe(NativeCalls.errno()));
            }
            long sent = libc.send(fd, NativeCalls.address(buf), message.length, MSG_NOSIGNAL);
            if (sent != message.length) {
                throw new IOException("send to " + socket + ": " + (sent < 0 ? NativeCalls.describe(NativeCalls.errno())
                        : "sent " + sent + " of " + message.length + " bytes"));
            }
        } finally {
            libc.close(fd);
        }
    }
}
