package io.ext3ns.stream.http;

import io.ext3ns.stream.server.ServerConfig;
import io.ext3ns.stream.server.StreamingServer;
import io.ext3ns.stream.session.DataPath;
import io.ext3ns.stream.testing.TestStore;
import io.ext3ns.stream.testkit.TestAsset;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTP bodies sent with sendfile from the member files (issue 19, HTTP speed): on a read-only volume, one image
 * and a two-member split array, whole files and ranges that start and end inside blocks and cross block and
 * member-part boundaries come out byte for byte, over one kept-alive connection; a file with a hole goes through
 * the pinned units instead (its zeros are on no member); a writable volume never uses sendfile.
 */
class SendfileTest {
    private static final int MIB = 1 << 20;

    @Test
    void singleImageReadOnly() throws Exception {
        check(TestStore.create(TestAsset.scratch("sendfile1"), 64L << 20), true);
    }

    @Test
    void splitArrayReadOnly() throws Exception {
        check(TestStore.createArray(TestAsset.scratch("sendfile2"), 2, 48L << 20), true);
    }

    @Test
    void writableVolumeCopies() throws Exception {
        check(TestStore.create(TestAsset.scratch("sendfile3"), 64L << 20), false);
    }

    private static void check(TestStore writable, boolean readOnly) throws Exception {
        byte[] data = new byte[13 * MIB + 12345]; // more than one locate (8 MiB), a partial last block
        new Random(7).nextBytes(data);
        writable.addFile("/a.bin", data);
        byte[] sparse = new byte[3 * MIB];
        new Random(8).nextBytes(sparse);
        long ino = writable.addFile("/sparse.bin", Arrays.copyOf(sparse, MIB)); // first MiB written
        var h = writable.fs().open(ino, true);
        writable.fs().write(h, 2L * MIB, ByteBuffer.wrap(sparse, 2 * MIB, MIB)); // a hole between
        writable.fs().release(h);
        Arrays.fill(sparse, MIB, 2 * MIB, (byte) 0);
        writable.sync();
        TestStore store = readOnly ? writable.reopenReadOnly() : writable;
        try (store; StreamingServer server = StreamingServer.start(store.fs(),
                ServerConfig.defaults().withEngine(DataPath.BATCHED, 1, 16L << 20))) {
            try (Socket s = new Socket("127.0.0.1", server.httpPort())) {
                s.setSoTimeout(30000);
                assertArrayEquals(data, get(s, "/a.bin", null, 200));
                long[][] ranges = {{0, 0}, {1, 99}, {MIB - 5, MIB + 5}, {131071, 131073}, {524287, 2 * MIB + 1},
                        {8 * MIB - 3, 9 * MIB + 7}, {data.length - 10, data.length - 1}, {3 * MIB, 12 * MIB}};
                for (long[] r : ranges) {
                    assertArrayEquals(Arrays.copyOfRange(data, (int) r[0], (int) r[1] + 1),
                            get(s, "/a.bin", "bytes=" + r[0] + "-" + r[1], 206), r[0] + "-" + r[1]);
                }
                long before = server.sendfileBytes();
                assertArrayEquals(sparse, get(s, "/sparse.bin", null, 200));
                assertArrayEquals(Arrays.copyOfRange(sparse, MIB - 10, 2 * MIB + 10),
                        get(s, "/sparse.bin", "bytes=" + (MIB - 10) + "-" + (2 * MIB + 9), 206));
                long sparseViaSendfile = server.sendfileBytes() - before;
                // the written first MiB may be sent from the member; the hole's block never is
                assertTrue(sparseViaSendfile <= 2L * MIB, "sendfile bytes of the sparse file: " + sparseViaSendfile);
            }
            if (readOnly) {
                assertTrue(server.sendfileBytes() >= data.length, "sendfile used: " + server.sendfileBytes());
            } else {
                assertEquals(0, server.sendfileBytes(), "a writable volume copies");
            }
        }
    }

    private static byte[] get(Socket s, String path, String range, int status) throws IOException {
        String request = "GET " + path + " HTTP/1.1\r\nHost: t\r\n" + (range == null ? "" : "Range: " + range + "\r\n")
                + "\r\n";
        s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed inside the head: " + head);
            }
            head.write(b);
            state = (b == '\r' && state % 2 == 0) || (b == '\n' && state % 2 == 1) ? state + 1 : b == '\r' ? 1 : 0;
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        assertTrue(text.startsWith("HTTP/1.1 " + status), text);
        int length = Integer.parseInt(text.lines().filter(l -> l.toLowerCase().startsWith("content-length:"))
                .findFirst().orElseThrow().substring(15).trim());
        byte[] body = in.readNBytes(length);
        assertEquals(length, body.length, "body cut short");
        return body;
    }
}
