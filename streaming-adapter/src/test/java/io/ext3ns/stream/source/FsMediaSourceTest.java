package io.ext3ns.stream.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.engine.EngineOptions;
import io.ext3ns.fs.engine.Ext3FileSystem;
import io.ext3ns.fs.testing.TestImages;
import io.ext3ns.sda.FileMember;
import io.ext3ns.fs.cache.UnitSize;
import io.ext3ns.stream.session.DataPath;
import io.ext3ns.stream.session.EngineConfig;
import io.ext3ns.stream.session.SessionEnd;
import io.ext3ns.stream.session.SessionOptions;
import io.ext3ns.stream.session.SessionState;
import io.ext3ns.stream.session.StreamSession;
import io.ext3ns.stream.session.StreamingEngine;
import io.ext3ns.stream.testkit.RtpReceiver;
import io.ext3ns.stream.testkit.TestAsset;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The data paths over a real EXT3NS volume in the same process: an image formatted with 128 KiB blocks holds the
 * asset; the fast and batched paths read it with readDirect into pinned units, the legacy path with buffered reads.
 */
class FsMediaSourceTest {
    private static final int BLOCK = 128 << 10;
    private static Path image;
    private static FileSystem fs;
    private static byte[] asset;

    @BeforeAll
    static void storeTheAssetInAVolume() throws Exception {
        asset = Files.readAllBytes(TestAsset.ts());
        image = TestAsset.scratch("fs").resolve("volume.img");
        TestImages.format(image, 64L << 20, BLOCK);
        fs = Ext3FileSystem.open(new FileMember(image, false), EngineOptions.defaults());
        long ino = fs.create(FileSystem.ROOT_INO, "asset.ts", 0644, 0, 0);
        FileHandle h = fs.open(ino, true);
        try {
            fs.write(h, 0, ByteBuffer.wrap(asset));
            fs.fsync(h);
        } finally {
            fs.release(h);
        }
    }

    @AfterAll
    static void closeVolume() throws Exception {
        if (fs != null) {
            fs.close();
        }
        if (image != null) {
            Files.deleteIfExists(image);
        }
    }

    @ParameterizedTest
    @EnumSource(DataPath.class)
    void everyPathStreamsTheStoredFileByteForByte(DataPath path) throws Exception {
        try (StreamingEngine engine = new StreamingEngine(EngineConfig.of(UnitSize.forBlockSize(fs.blockSize()), 8));
             RtpReceiver rx = new RtpReceiver()) {
            FsMediaSource source = new FsMediaSource(fs, "/asset.ts");
            assertEquals(asset.length, source.size());
            StreamSession s = engine.openUdp(source, path, rx.address(), null, SessionOptions.defaults().withSpeed(8));
            s.play(-1);
            SessionEnd end = s.ended().get(30, TimeUnit.SECONDS);
            assertEquals(SessionState.FINISHED, end.state(), () -> "ended with " + end.error());
            assertTrue(rx.awaitBytes(asset.length, 5000));
            assertArrayEquals(asset, rx.payloadStream(), path + " over EXT3NS");
            assertEquals(0, engine.pool().metrics().inUse());
        }
    }

    @Test
    void viewersOfOneStoredTitleShareUnitsReadOnce() throws Exception {
        ((Ext3FileSystem) fs).dropCaches();
        long readBefore = fs.blockCacheStats().memberReadBytes();
        try (StreamingEngine engine = new StreamingEngine(EngineConfig.of(UnitSize.K128, 16));
             RtpReceiver rx = new RtpReceiver()) {
            StreamSession a = engine.openUdp(new FsMediaSource(fs, "/asset.ts"), DataPath.BATCHED, rx.address(),
                    null, SessionOptions.defaults().withSpeed(8));
            StreamSession b = engine.openUdp(new FsMediaSource(fs, "/asset.ts"), DataPath.BATCHED, rx.address(),
                    null, SessionOptions.defaults().withSpeed(8));
            a.play(-1);
            b.play(-1);
            assertEquals(SessionState.FINISHED, a.ended().get(30, TimeUnit.SECONDS).state());
            assertEquals(SessionState.FINISHED, b.ended().get(30, TimeUnit.SECONDS).state());
            long blockSize = fs.blockSize();
            long blocks = (asset.length + blockSize - 1) / blockSize;
            long read = fs.blockCacheStats().memberReadBytes() - readBefore;
            assertTrue(read <= (blocks + 4) * blockSize, "read " + read + " bytes from the members for two viewers"
                    + " of " + asset.length + ": once");
            assertTrue(fs.blockCacheStats().hits() > 0);
            assertTrue(rx.awaitBytes(2L * asset.length, 5000));
            assertEquals(0, engine.pool().metrics().inUse());
        }
    }

    @Test
    void directoriesAndMissingFilesAreRefused() {
        assertThrows(FsException.class, () -> new FsMediaSource(fs, "/"));
        assertThrows(FsException.class, () -> new FsMediaSource(fs, "/missing.ts"));
    }
}
