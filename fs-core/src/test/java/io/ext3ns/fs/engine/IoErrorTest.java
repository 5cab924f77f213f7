package io.ext3ns.fs.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.check.CheckOptions;
import io.ext3ns.fs.check.CheckReport;
import io.ext3ns.fs.check.VolumeChecker;
import io.ext3ns.fs.disk.Superblock;
import io.ext3ns.fs.format.FormatSpec;
import io.ext3ns.fs.format.VolumeFormatter;
import io.ext3ns.fs.inspect.VolumeReader;
import io.ext3ns.fs.testing.TestImages;
import io.ext3ns.sda.ArrayAssembler;
import io.ext3ns.sda.ArrayLayout;
import io.ext3ns.sda.ArraySpec;
import io.ext3ns.sda.BlockDevice;
import io.ext3ns.sda.BlockDevices;
import io.ext3ns.sda.testing.ForwardingMember;
import io.ext3ns.sda.MemberIo;
import io.ext3ns.sda.OpenOptions;
import io.ext3ns.sda.RawMember;
import io.ext3ns.sda.StreamDiskArray;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Errors must not vanish (issue 16): with EIO injected on one member of a 4-member array while mounted, a failed read
 * is logged naming the member and its offset; a failed metadata or data write is logged, reaches the application as
 * EIO on the next fsync or flush (close), and leaves the volume marked with errors (s_state ERROR_FS) so that it is
 * not mounted read-write again before fsck -y has checked it — also when the journal replays an older superblock.
 */
class IoErrorTest {
    private static final int MEMBERS = 4;
    private static final int FAULTY = 2;

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private PrintStream savedErr;

    @BeforeEach
    void captureLog() {
        savedErr = System.err;
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8)); // slf4j-simple writes to System.err
    }

    @AfterEach
    void restoreLog() {
        System.setErr(savedErr); // the assertions quote the captured log when they fail
    }

    /** A member that fails reads or writes with EIO while told to. */
    static final class FaultyMember extends ForwardingMember {
        final AtomicBoolean failReads = new AtomicBoolean();
        final AtomicBoolean failWrites = new AtomicBoolean();

        FaultyMember(MemberIo inner) {
            super(inner);
        }

        @Override
        public void read(long offset, ByteBuffer dst) throws IOException {
            if (failReads.get()) {
                throw new IOException("Input/output error (injected)");
            }
            super.read(offset, dst);
        }

        @Override
        public void write(long offset, ByteBuffer src) throws IOException {
            if (failWrites.get()) {
                throw new IOException("Input/output error (injected)");
            }
            super.write(offset, src);
        }
    }

    private List<Path> members() {
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < MEMBERS; i++) {
            out.add(tmp.resolve("m" + i));
        }
        return out;
    }

    private void makeArray(int blockSize, long memberBytes, long journalBlocks) throws Exception {
        for (Path m : members()) {
            TestImages.sparseFile(m, memberBytes);
        }
        FormatSpec spec = TestImages.spec(blockSize).journalBlocks(journalBlocks).deviceReadsZero(true).build();
        try (StreamDiskArray array = BlockDevices.create(members(), new ArraySpec(ArrayLayout.parse("split"),
                blockSize))) {
            VolumeFormatter.format(array, spec);
        }
    }

    /** The array with member {@value #FAULTY} wrapped so the test can make it fail. */
    private StreamDiskArray openWithFaultyMember(List<FaultyMember> faulty) throws IOException {
        List<MemberIo> opened = new ArrayList<>();
        for (int i = 0; i < MEMBERS; i++) {
            RawMember raw = RawMember.open(members().get(i), OpenOptions.READ_WRITE);
            if (i == FAULTY) {
                FaultyMember f = new FaultyMember(raw);
                faulty.add(f);
                opened.add(f);
            } else {
                opened.add(raw);
            }
        }
        return ArrayAssembler.assemble(opened, false, StreamDiskArray.DEFAULT_IN_FLIGHT);
    }

    private int state() throws IOException {
        try (BlockDevice dev = BlockDevices.open(members(), OpenOptions.READ_ONLY)) {
            return VolumeReader.open(dev).superblock().state();
        }
    }

    private static void writeAll(FileSystem fs, FileHandle h, byte[] data) throws FsException {
        ByteBuffer src = ByteBuffer.wrap(data);
        long off = 0;
        while (src.hasRemaining()) {
            off += fs.write(h, off, src);
        }
    }

    private String log() {
        return log.toString(StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "{0}-byte blocks, journal {2} blocks")
    @CsvSource({"65536, 67108864, 0", "1048576, 536870912, 0", "1048576, 536870912, 64"})
    void aFailedWriteReachesFsyncAndFlushIsLoggedAndMarksTheVolume(int bs, long memberBytes, long journal)
            throws Exception {
        makeArray(bs, memberBytes, journal);
        String member = members().get(FAULTY).toString();
        byte[] data = new byte[3 * bs + 123];
        Arrays.fill(data, (byte) 0x3C);
        List<FaultyMember> faulty = new ArrayList<>();
        Ext3FileSystem fs = Ext3FileSystem.open(openWithFaultyMember(faulty), EngineOptions.defaults());
        try {
            long a = fs.create(FileSystem.ROOT_INO, "a", 0644, 0, 0);
            FileHandle ha = fs.open(a, true);
            writeAll(fs, ha, data);
            fs.fsync(ha);
            long b = fs.create(FileSystem.ROOT_INO, "b", 0644, 0, 0);
            FileHandle hb = fs.open(b, true); // a second open file: the error must reach it too

            // a metadata write (the new inode, directory entry, bitmaps) fails at fsync
            faulty.get(0).failWrites.set(true);
            writeAll(fs, ha, data);
            FsException e = assertThrows(FsException.class, () -> fs.fsync(ha));
            assertEquals(Errno.EIO, e.errno(), e.getMessage());
            assertTrue(log().contains(member) && log().contains("member offset"), "the log names the member: " + log());
            assertTrue(log().contains("marked with errors"), log());
            faulty.get(0).failWrites.set(false);

            // the other open file hears of it on its next flush (close) once, then no more
            FsException other = assertThrows(FsException.class, () -> fs.flush(hb));
            assertEquals(Errno.EIO, other.errno());
            fs.flush(hb);
            // the member is back: the next write-back writes ERROR_FS (the journal, aborted, refuses the rest)
            if (journal == 0) {
                fs.fsync(hb);
            } else {
                assertEquals(Errno.EIO, assertThrows(FsException.class, () -> fs.fsync(hb)).errno());
            }
            fs.release(hb);
            assertTrue((state() & Superblock.STATE_ERROR) != 0, "ERROR_FS is on disk while still mounted");
        } finally {
            try {
                fs.close();
            } catch (IOException e) {
                // a journal aborted by the failed commit refuses the unmount's write-back: the log stays for replay
                assertTrue(journal > 0, "only an aborted journal may fail the unmount: " + e);
            }
        }
        // the volume is not mounted read-write again (a journal replayed at this open keeps ERROR_FS)...
        try (BlockDevice dev = BlockDevices.open(members(), OpenOptions.READ_WRITE)) {
            FsException refused = assertThrows(FsException.class,
                    () -> Ext3FileSystem.open(dev, EngineOptions.defaults()).close());
            assertEquals(Errno.EROFS, refused.errno(), refused.getMessage());
        }
        assertTrue((state() & Superblock.STATE_ERROR) != 0, "ERROR_FS after the unmount / replay");
        // ...until fsck -y has checked it and marked it clean
        try (BlockDevice dev = BlockDevices.open(members(), OpenOptions.READ_WRITE)) {
            CheckReport r = VolumeChecker.check(dev, new CheckOptions(true, false));
            assertTrue(r.clean(), r.remaining().toString());
        }
        assertEquals(Superblock.STATE_VALID, state());
        try (BlockDevice dev = BlockDevices.open(members(), OpenOptions.READ_WRITE);
             Ext3FileSystem again = Ext3FileSystem.open(dev, EngineOptions.defaults())) {
            assertTrue(again.lookup(FileSystem.ROOT_INO, "a") > 0);
        }
    }

    @ParameterizedTest(name = "{0}-byte blocks")
    @CsvSource({"65536, 67108864", "1048576, 536870912"})
    void aFailedDataWriteBehindReachesFsyncAndMarksTheVolume(int bs, long memberBytes) throws Exception {
        makeArray(bs, memberBytes, 0);
        List<FaultyMember> faulty = new ArrayList<>();
        try (Ext3FileSystem fs = Ext3FileSystem.open(openWithFaultyMember(faulty), EngineOptions.defaults())) {
            long a = fs.create(FileSystem.ROOT_INO, "a", 0644, 0, 0);
            FileHandle ha = fs.open(a, true);
            fs.fsync(ha); // the metadata is home: only data writes fail below
            faulty.get(0).failWrites.set(true);
            FsException reported = null;
            try {
                writeAll(fs, ha, new byte[4 * bs]); // whole blocks: written behind the caller
                fs.flush(ha); // drains the write-behind: a failure is reported by a later write or here
            } catch (FsException e) {
                reported = e;
            }
            faulty.get(0).failWrites.set(false);
            assertTrue(reported != null && reported.errno() == Errno.EIO, "EIO reached the writer: " + reported);
            fs.release(ha);
        }
        assertTrue(log().contains("writing data block") && log().contains(members().get(FAULTY).toString()), log());
        assertTrue((state() & Superblock.STATE_ERROR) != 0, "a lost data write marks the volume with errors");
    }

    @ParameterizedTest(name = "{0}-byte blocks")
    @CsvSource({"65536, 67108864", "1048576, 536870912"})
    void aFailedReadIsLoggedWithMemberAndOffset(int bs, long memberBytes) throws Exception {
        makeArray(bs, memberBytes, 0);
        List<FaultyMember> faulty = new ArrayList<>();
        long a;
        try (Ext3FileSystem fs = Ext3FileSystem.open(openWithFaultyMember(faulty), EngineOptions.defaults())) {
            a = fs.create(FileSystem.ROOT_INO, "a", 0644, 0, 0);
            FileHandle ha = fs.open(a, true);
            writeAll(fs, ha, new byte[2 * bs]);
            fs.fsync(ha);
            fs.release(ha);
        }
        faulty.clear();
        try (Ext3FileSystem fs = Ext3FileSystem.open(openWithFaultyMember(faulty), EngineOptions.defaults())) {
            FileHandle ha = fs.open(a, false);
            faulty.get(0).failReads.set(true);
            FsException e = assertThrows(FsException.class, () -> fs.read(ha, 0, ByteBuffer.allocate(bs)));
            assertEquals(Errno.EIO, e.errno());
            faulty.get(0).failReads.set(false);
            fs.release(ha);
        }
        String log = log();
        assertTrue(log.contains("reading block") && log.contains(members().get(FAULTY) + ": read of")
                && log.contains("member offset"), log);
    }
}
