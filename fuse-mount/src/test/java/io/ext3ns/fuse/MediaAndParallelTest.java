package io.ext3ns.fuse;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real clients on a mount: ffprobe reading media, and eight processes writing and reading at once. */
class MediaAndParallelTest {
    /** Waits for every background job in $pids and fails if any failed. */
    private static final String WAIT_ALL = "fails=0; for p in $pids; do wait $p || fails=1; done; exit $fails";

    @TempDir
    Path tmp;

    /** Runs a python3 script in tmp on a new 256 MiB volume (1 MiB blocks) mounted at tmp/mnt. */
    private void pythonOnAFreshMount(String image, String script) throws Exception {
        MountProcess.withMount(TestImages.ext3ns(tmp.resolve(image), 256L << 20, 1 << 20), tmp.resolve("mnt"), "",
                mount -> python(script));
    }

    /** Runs a python3 script in tmp, after "import os" and a drop() that empties the kernel's page cache. */
    private void python(String script) throws Exception {
        Shell.bash(tmp, "python3 - <<'PY'\nimport os\ndef drop():\n    with open(\"/proc/sys/vm/drop_caches\", \"w\")"
                + " as f:\n        f.write(\"3\")\n" + script + "PY\n").check();
    }

    @Test
    void ffprobeReadsAMediaFileStraightFromTheMount() throws Exception {
        Path image = TestImages.mke2fs(tmp.resolve("media.img"), "64M", 4096);
        Shell.bash(tmp, "ffmpeg -v error -f lavfi -i testsrc=size=160x120:rate=25 -f lavfi -i sine=frequency=440"
                + " -t 2 -c:v mpeg4 -c:a aac -shortest clip.mp4").check();
        MountProcess.withMount(image, tmp.resolve("mnt"), "", mount -> {
            Shell.bash(tmp, "mkdir -p mnt/media && cp clip.mp4 mnt/media/").check();
            String probe = Shell.bash(tmp, "ffprobe -v error -show_entries stream=codec_name:format=duration"
                    + " -of default=nw=1 mnt/media/clip.mp4").check().out();
            assertTrue(probe.contains("codec_name=mpeg4"), probe);
            assertTrue(probe.contains("codec_name=aac"), probe);
            double duration = Double.parseDouble(probe.lines().filter(l -> l.startsWith("duration="))
                    .findFirst().orElseThrow().substring("duration=".length()));
            assertEquals(2.0, duration, 0.2, probe);
            // Decoding every frame reads the whole file through the mount.
            Shell.bash(tmp, "ffmpeg -v error -i mnt/media/clip.mp4 -f null -").check();
        });
    }

    /**
     * A file held open for reading has whole blocks in the block cache: after another handle overwrites and
     * truncates the file, the reader's next reads (page cache dropped, so they reach the file system) see the change.
     */
    @Test
    void aLongLivedReaderSeesWritesMadeThroughAnotherHandle() throws Exception {
        pythonOnAFreshMount("coh.img", """
                p = "mnt/f"
                with open(p, "wb") as f:
                    f.write(bytes(range(256)) * (5 * 4096 + 100))  # 5 MiB + 25600 bytes: partial last block
                r = os.open(p, os.O_RDONLY)
                assert os.pread(r, 4096, (1 << 20) + 5) == (bytes(range(256)) * 17)[5:4101]
                w = os.open(p, os.O_WRONLY)
                os.pwrite(w, b"N" * 300000, (1 << 20) - 1000)  # straddles blocks 0 and 1
                os.close(w)
                drop()
                assert os.pread(r, 4096, (1 << 20) + 5) == b"N" * 4096, "stale block after a write"
                assert os.pread(r, 2000, (1 << 20) - 1500)[500:] == b"N" * 1500
                os.truncate(p, 3 << 20)
                drop()
                assert os.pread(r, 4096, (3 << 20) - 10) == bytes(range(256))[246:256], "stale size after truncate"
                os.close(r)
                """);
    }

    /**
     * A sequential reader has the next blocks read ahead into the block cache; blocks overwritten through another
     * handle after they were read ahead, and a block written while the reader runs, read back new.
     */
    @Test
    void readAheadNeverServesBlocksOverwrittenAfterTheyWereRead() throws Exception {
        pythonOnAFreshMount("ra.img", """
                import threading
                MiB = 1 << 20
                p = "mnt/f"
                with open(p, "wb") as f:
                    f.write(b"o" * (8 * MiB))
                drop()
                r = os.open(p, os.O_RDONLY)
                for off in range(0, MiB, 128 << 10):  # block 0 in order: blocks 1 and 2 are read ahead
                    assert os.pread(r, 128 << 10, off) == b"o" * (128 << 10)
                w = os.open(p, os.O_WRONLY)
                os.pwrite(w, b"1" * MiB, MiB)
                os.pwrite(w, b"2" * (MiB // 2), 2 * MiB + 4096)
                drop()
                assert os.pread(r, 4096, MiB + 77) == b"1" * 4096, "read-ahead block 1 served stale"
                assert os.pread(r, 8192, 2 * MiB) == b"o" * 4096 + b"2" * 4096, "read-ahead block 2 served stale"
                # A writer changing block 6 while the reader streams through the file.
                done = threading.Event()
                def writer():
                    os.pwrite(w, b"6" * MiB, 6 * MiB)
                    done.set()
                t = threading.Thread(target=writer)
                t.start()
                off = 3 * MiB
                while off < 6 * MiB:
                    assert len(os.pread(r, 128 << 10, off)) == 128 << 10
                    off += 128 << 10
                t.join()
                drop()
                assert os.pread(r, MiB, 6 * MiB) == b"6" * MiB, "block written during streaming served stale"
                assert os.pread(r, MiB, 7 * MiB) == b"o" * MiB
                os.close(w)
                os.close(r)
                """);
    }

    /**
     * Write-only descriptors use FUSE's direct I/O: a reader holding the file's pages in the page cache still sees
     * their writes at once (the kernel drops the pages a direct write covers), without dropping caches.
     */
    @Test
    void writesThroughAWriteOnlyDescriptorAreSeenByACachingReaderAtOnce() throws Exception {
        pythonOnAFreshMount("dio.img", """
                p = "mnt/f"
                with open(p, "wb") as f:
                    f.write(b"a" * (3 << 20))
                r = os.open(p, os.O_RDONLY)
                assert os.pread(r, 3 << 20, 0) == b"a" * (3 << 20)  # now in the page cache
                w = os.open(p, os.O_WRONLY)
                os.pwrite(w, b"b" * 10000, 4000)
                os.pwrite(w, b"c" * 100, (2 << 20) + 4096)
                assert os.pread(r, 10008, 3996) == b"aaaa" + b"b" * 10000 + b"aaaa"
                assert os.pread(r, 104, (2 << 20) + 4094) == b"aa" + b"c" * 100 + b"aa"
                os.pwrite(w, b"t" * 5, 3 << 20)  # grows the file
                assert os.fstat(r).st_size == (3 << 20) + 5
                assert os.pread(r, 10, (3 << 20) - 5) == b"aaaaattttt"
                os.close(w)
                os.close(r)
                """);
    }

    @Test
    void eightProcessesWriteAndReadDifferentFiles() throws Exception {
        Path image = TestImages.ext3ns(tmp.resolve("par.img"), 1L << 30, 1 << 20); // the media default
        // Eight source files of different sizes (not multiples of the block or request size).
        Shell.bash(tmp, "mkdir src && for i in $(seq 1 8); do head -c $((i * 3000000 + i * 777)) /dev/urandom"
                + " > src/f$i; done").check();
        MountProcess.withMount(image, tmp.resolve("mnt"), "", mount -> {
            // Eight writers at once, each with its own block size.
            Shell.bash(tmp, """
                    mkdir mnt/w; pids=""
                    for i in $(seq 1 8); do dd if=src/f$i of=mnt/w/f$i bs=$((i * 13))k status=none & pids="$pids $!"; done
                    """ + WAIT_ALL).check();
            // Four readers of what was written, while four writers make new copies.
            Shell.bash(tmp, """
                    pids=""
                    for i in 1 2 3 4; do cmp src/f$i mnt/w/f$i & pids="$pids $!"; done
                    for i in 5 6 7 8; do cp src/f$i mnt/w/g$i & pids="$pids $!"; done
                    """ + WAIT_ALL).check();
            Shell.bash(tmp, """
                    pids=""
                    for i in $(seq 1 8); do cmp src/f$i mnt/w/f$i & pids="$pids $!"; done
                    for i in 5 6 7 8; do cmp src/f$i mnt/w/g$i & pids="$pids $!"; done
                    """ + WAIT_ALL).check();
        });
        // What was written is there after mounting again.
        MountProcess.withMount(image, tmp.resolve("mnt"), "ro",
                again -> Shell.bash(tmp, "for i in $(seq 1 8); do cmp src/f$i mnt/w/f$i; done").check());
    }
}
