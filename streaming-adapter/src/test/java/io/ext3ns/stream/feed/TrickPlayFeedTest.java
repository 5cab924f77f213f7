package io.ext3ns.stream.feed;

import io.ext3ns.stream.index.PcrIndexBuilder;
import io.ext3ns.stream.index.KeyframeTable;
import io.ext3ns.fs.cache.PinnedBufferPool;
import io.ext3ns.fs.cache.UnitSize;
import io.ext3ns.stream.source.MediaSource;
import io.ext3ns.stream.ts.TsPacket;
import io.ext3ns.stream.ts.TsPatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trick play feed on a synthetic stream whose pictures are known packet by packet: PAT, PMT (video 0x101 with
 * the PCR, audio 0x102), then per second a key frame (PES start with random-access indicator and PCR), a non-key
 * picture and audio. Picture 2 is 1000 packets, more than one 128 KiB unit holds.
 */
class TrickPlayFeedTest {
    private static final int PMT = 0x100;
    private static final int VIDEO = 0x101;
    private static final int AUDIO = 0x102;
    private static final long LEAD = 63_000; // PTS 0.7 s after the PCR (ffmpeg's default mux delay)
    private static final long BASE = 900_000; // the first key frame's PTS: 10 s
    private static final int[] KEY_PACKETS = {3, 40, 1000, 5, 7, 60};

    private PinnedBufferPool pool;
    private byte[] stream;
    private KeyframeTable table;
    private MediaSource source;

    @BeforeEach
    void build() throws Exception {
        pool = PinnedBufferPool.create(UnitSize.K128, 16);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(pat());
        out.write(pmt());
        int[] cc = new int[8192];
        for (int k = 0; k < KEY_PACKETS.length; k++) {
            writePes(out, cc, VIDEO, BASE + k * 90_000L, true, KEY_PACKETS[k], (byte) k);
            writePes(out, cc, AUDIO, BASE + k * 90_000L + 1000, false, 2, (byte) 0x55);
            writePes(out, cc, VIDEO, BASE + k * 90_000L + 45_000, false, 4, (byte) 0x77);
        }
        stream = out.toByteArray();
        PcrIndexBuilder scanner = new PcrIndexBuilder();
        scanner.feed(ByteBuffer.wrap(stream));
        table = scanner.build().videoKeyframes();
        source = new BytesSource(stream);
    }

    @AfterEach
    void close() {
        assertEquals(0, pool.outstanding().size(), "units left leased");
        assertEquals(0, pool.metrics().inUse(), "units left in use");
        pool.close();
    }

    private static byte[] pat() {
        byte[] section = {0x00, (byte) 0xb0, 0x0d, 0x00, 0x01, (byte) 0xc1, 0x00, 0x00,
            0x00, 0x01, (byte) 0xe1, 0x00};
        return psi(0, section);
    }

    private static byte[] pmt() {
        byte[] section = {0x02, (byte) 0xb0, 0x17, 0x00, 0x01, (byte) 0xc1, 0x00, 0x00, (byte) 0xe1, 0x01,
            (byte) 0xf0, 0x00, 0x1b, (byte) 0xe1, 0x01, (byte) 0xf0, 0x00, 0x0f, (byte) 0xe1, 0x02, (byte) 0xf0, 0x00};
        return psi(PMT, section);
    }

    private static byte[] psi(int pid, byte[] section) {
        byte[] p = new byte[188];
        java.util.Arrays.fill(p, (byte) 0xff);
        p[0] = 0x47;
        p[1] = (byte) (0x40 | (pid >> 8));
        p[2] = (byte) pid;
        p[3] = 0x10;
        p[4] = 0;
        System.arraycopy(section, 0, p, 5, section.length);
        int crc = TsPatch.psiCrc32(p, 5, section.length);
        for (int i = 0; i < 4; i++) {
            p[5 + section.length + i] = (byte) (crc >>> (24 - 8 * i));
        }
        return p;
    }

    /** A PES of {@code packets} packets; a key frame's first packet has the random-access indicator and a PCR. */
    private static void writePes(ByteArrayOutputStream out, int[] cc, int pid, long pts, boolean key, int packets,
                                 byte fill) {
        for (int i = 0; i < packets; i++) {
            byte[] p = new byte[188];
            java.util.Arrays.fill(p, fill);
            p[0] = 0x47;
            p[1] = (byte) ((i == 0 ? 0x40 : 0) | (pid >> 8));
            p[2] = (byte) pid;
            int at = 4;
            if (i == 0 && key) {
                p[3] = (byte) (0x30 | (cc[pid] & 15));
                p[4] = 7;
                p[5] = 0x50; // random access, PCR
                TsPatch.replacePcr(ByteBuffer.wrap(p), 0, (pts - LEAD) * 300);
                at = 12;
            } else {
                p[3] = (byte) (0x10 | (cc[pid] & 15));
            }
            if (i == 0) {
                byte[] pes = {0, 0, 1, (byte) 0xe0, 0, 0, (byte) 0x80, (byte) 0x80, 5, 0x21, 0, 1, 0, 1};
                System.arraycopy(pes, 0, p, at, pes.length);
                TsPatch.replacePesTimestamps(ByteBuffer.wrap(p), 0, pts);
            }
            cc[pid]++;
            out.write(p, 0, 188);
        }
    }

    /** Every payload until the end: the packets, and each packet's media time. */
    private record Sent(List<byte[]> packets, List<Long> times, List<Integer> payloadSizes) {
    }

    private static Sent drain(TrickPlayFeed feed) {
        Sent s = new Sent(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        Payload payload = new Payload();
        for (int guard = 0; guard < 100_000; guard++) {
            int r = feed.peek(payload);
            if (r == PayloadFeed.END) {
                return s;
            }
            assertEquals(PayloadFeed.READY, r, "a direct executor has every picture ready");
            assertEquals(1, payload.segments(), "a payload never straddles units");
            assertTrue(payload.address(0) != 0, "pinned memory");
            s.payloadSizes.add(payload.tsPackets());
            for (int k = 0; k < payload.tsPackets(); k++) {
                ByteBuffer b = payload.tsPacket(k);
                byte[] packet = new byte[188];
                b.get(payload.tsIndex(), packet);
                s.packets.add(packet);
                s.times.add(feed.peekedMediaTime());
            }
            feed.advance();
        }
        throw new AssertionError("no end");
    }

    private static int pid(byte[] p) {
        return ((p[1] & 0x1f) << 8) | (p[2] & 0xff);
    }

    private static long pts(byte[] p) {
        int at = 4 + ((p[3] & 0x20) != 0 ? 1 + (p[4] & 0xff) : 0);
        int q = at + 9;
        return ((long) (p[q] & 0x0e) << 29) | ((p[q + 1] & 0xff) << 22) | ((p[q + 2] & 0xfe) << 14)
                | ((p[q + 3] & 0xff) << 7) | ((p[q + 4] & 0xfe) >> 1);
    }

    /** The pictures in the sent packets: for each, its fill byte (which key frame) and PTS; checks the layout. */
    private static List<long[]> pictures(Sent s) {
        List<long[]> pictures = new ArrayList<>();
        int[] cc = new int[8192];
        java.util.Arrays.fill(cc, -1);
        int i = 0;
        while (i < s.packets.size()) {
            assertEquals(0, pid(s.packets.get(i)), "PAT first");
            assertEquals(PMT, pid(s.packets.get(i + 1)), "then the PMT");
            byte[] first = s.packets.get(i + 2);
            assertEquals(VIDEO, pid(first));
            assertTrue((first[1] & 0x40) != 0 && (first[5] & 0x40) != 0, "then the key frame's PES start");
            long key = first[187];
            long pts = pts(first);
            assertEquals((pts - LEAD) * 300, TsPacket.pcr(ByteBuffer.wrap(first), 0), "PCR = PTS - the lead");
            long time = s.times.get(i);
            int n = 0;
            for (; i < s.packets.size() && (n < 2 || pid(s.packets.get(i)) == VIDEO); i++, n++) {
                byte[] p = s.packets.get(i);
                assertTrue(pid(p) != AUDIO);
                if (n >= 2) {
                    assertEquals(key, p[187], "packets of one key frame only");
                }
                int expected = cc[pid(p)] < 0 ? p[3] & 15 : (cc[pid(p)] + 1) & 15;
                assertEquals(expected, p[3] & 15, "continuity");
                cc[pid(p)] = p[3] & 15;
                assertEquals(time, (long) s.times.get(i), "one time per picture");
            }
            assertEquals(KEY_PACKETS[(int) key], n - 2, "the whole access unit, nothing else");
            pictures.add(new long[]{key, pts, time});
        }
        return pictures;
    }

    @Test
    void forwardSendsEveryKeyFrameWithTheFilesPts() {
        TrickPlayFeed feed = new TrickPlayFeed(source, table, pool, Runnable::run, 0, 4, table.size() - 1);
        Sent sent = drain(feed);
        List<long[]> pics = pictures(sent);
        assertEquals(KEY_PACKETS.length, pics.size());
        for (int k = 0; k < pics.size(); k++) {
            assertEquals(k, pics.get(k)[0]);
            assertEquals(BASE + k * 90_000L, pics.get(k)[1], "forward: the file's own PTS");
            assertEquals((BASE + k * 90_000L - LEAD) * 300, pics.get(k)[2]);
        }
        assertTrue(sent.payloadSizes.stream().allMatch(n -> n >= 1 && n <= 7));
        assertEquals(table.offset(table.size() - 1), feed.position(), "at the end: the last picture shown");
        feed.close();
        feed.quiesced().join();
    }

    @Test
    void backwardMirrorsTheTimeLineSoItStillIncreases() {
        TrickPlayFeed feed = new TrickPlayFeed(source, table, pool, Runnable::run, 4, -2, 1);
        List<long[]> pics = pictures(drain(feed));
        assertEquals(List.of(4L, 3L, 2L, 1L), pics.stream().map(p -> p[0]).toList());
        for (int i = 0; i < pics.size(); i++) {
            assertEquals(BASE + 4 * 90_000L + i * 90_000L, pics.get(i)[1], "P0 + (t0 - t)");
        }
        feed.close();
        feed.quiesced().join();
    }

    @Test
    void highScalesSkipKeyFramesToEightPicturesASecond() {
        // 16x covers 16 s a second: at most 8 pictures, so one every 2 s of media
        TrickPlayFeed feed = new TrickPlayFeed(source, table, pool, Runnable::run, 0, 16, table.size() - 1);
        assertEquals(List.of(0L, 2L, 4L), pictures(drain(feed)).stream().map(p -> p[0]).toList());
        feed.close();
    }

    @Test
    void positionIsThePictureShownAndCloseGivesEveryUnitBack() {
        List<Runnable> pending = new ArrayList<>();
        TrickPlayFeed feed = new TrickPlayFeed(source, table, pool, pending::add, 1, 1, 5);
        Payload payload = new Payload();
        assertEquals(PayloadFeed.NOT_READY, feed.peek(payload));
        assertEquals(table.offset(1), feed.position());
        pending.remove(0).run();
        assertEquals(PayloadFeed.READY, feed.peek(payload)); // picture 1 taken, picture 2 being read
        while (true) {
            feed.advance();
            int r = feed.peek(payload);
            if (r == PayloadFeed.NOT_READY) {
                break;
            }
        }
        assertEquals(table.offset(1), feed.position(), "picture 1 sent whole, 2 not read yet");
        pending.remove(0).run(); // picture 2 (two units) read
        assertEquals(PayloadFeed.READY, feed.peek(payload));
        assertEquals(table.offset(1), feed.position(), "picture 2 waits for its time: 1 is still what shows");
        feed.advance();
        assertEquals(table.offset(2), feed.position(), "picture 2 is being sent");
        assertTrue(pool.metrics().inUse() >= 2);
        feed.close();
        pending.forEach(Runnable::run); // picture 3's read finishes after the close: its units go back too
        feed.quiesced().join();
        assertThrows(IllegalStateException.class, () -> feed.peek(payload));
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> new TrickPlayFeed(source, table, pool, Runnable::run, 0, 0, 5));
        assertThrows(IllegalArgumentException.class,
                () -> new TrickPlayFeed(source, table, pool, Runnable::run, 3, 2, 1));
        assertThrows(IllegalArgumentException.class,
                () -> new TrickPlayFeed(source, table, pool, Runnable::run, 1, -2, 3));
        assertThrows(IllegalArgumentException.class,
                () -> new TrickPlayFeed(source, table, pool, Runnable::run, 6, 2, 6));
    }

    /** A file's bytes in memory (the legacy read is all the feed uses). */
    private record BytesSource(byte[] data) implements MediaSource {
        @Override
        public Object key() {
            return this;
        }

        @Override
        public long size() {
            return data.length;
        }

        @Override
        public int directAlignment() {
            return 4096;
        }

        @Override
        public int readDirect(long offset, ByteBuffer dst) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int readLegacy(long offset, ByteBuffer dst) {
            int n = (int) Math.min(dst.remaining(), data.length - offset);
            dst.put(data, (int) offset, n);
            return n;
        }

        @Override
        public String name() {
            return "bytes";
        }

        @Override
        public void close() {
        }
    }
}
