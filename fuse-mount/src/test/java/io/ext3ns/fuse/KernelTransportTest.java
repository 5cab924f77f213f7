package io.ext3ns.fuse;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What transport=kernel adds over the libfuse transports, through a real mount (the semantics every transport
 * shares are the rest of the suite's, run once per transport): requests of 2 MiB negotiated at INIT; an unlinked
 * open file served by its node (no .fuse_hidden name, fstat and reads work, rmdir of its directory succeeds);
 * renameat2's RENAME_NOREPLACE and RENAME_EXCHANGE. It names its transport, so it runs in the kernel execution only.
 */
class KernelTransportTest {
    @TempDir
    Path tmp;

    @BeforeEach
    void onlyInTheKernelRun() {
        String transport = System.getProperty(MountProcess.TRANSPORT_PROPERTY, "");
        Assumptions.assumeTrue(transport.isEmpty() || transport.equals("kernel"),
                "names its transport: runs once, in the transport=kernel execution");
    }

    @Test
    void servesByInodeWithTwoMibRequests() throws Exception {
        Path image = TestImages.ext3ns(tmp.resolve("k.img"), 64L << 20, 1 << 20);
        MountProcess.withMount(image, tmp.resolve("mnt"), "transport=kernel", mount -> {
            String log = Files.readString(mount.log);
            int limit = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/fs/fuse/max_pages_limit")).get(0)
                    .trim());
            assertTrue(limit >= 512, "root raises max_pages_limit to 512: " + limit);
            assertTrue(log.contains("requests up to 2048 KiB"), log);
            String out = Shell.bash(mount.mountPoint, """
                    mkdir d && head -c 3000000 /dev/urandom > d/f && sum=$(md5sum < d/f)
                    python3 - <<'PY'
                    import os, ctypes, hashlib
                    fd = os.open('d/f', os.O_RDONLY)
                    os.unlink('d/f')
                    os.rmdir('d')
                    print('names left:', os.listdir('.'))
                    st = os.fstat(fd)
                    print('fstat:', st.st_size, st.st_nlink)
                    print(hashlib.md5(os.pread(fd, 4000000, 0)).hexdigest())
                    os.close(fd)
                    libc = ctypes.CDLL(None, use_errno=True)
                    open('a', 'w').write('a'); open('b', 'w').write('b')
                    r = libc.renameat2(-100, b'a', -100, b'b', 1)
                    print('noreplace:', r, os.strerror(ctypes.get_errno()))
                    print('exchange:', libc.renameat2(-100, b'a', -100, b'b', 2), open('a').read(), open('b').read())
                    PY
                    echo "$sum"
                    """).check().out();
            String[] lines = out.split("\n");
            assertEquals("names left: ['lost+found']", lines[0], out);
            assertEquals("fstat: 3000000 0", lines[1], out);
            assertEquals(lines[5].replace("  -", "").trim(), lines[2], "the unlinked file reads back whole");
            assertEquals("noreplace: -1 File exists", lines[3], out);
            assertEquals("exchange: 0 b a", lines[4], out);
        });
    }
}
