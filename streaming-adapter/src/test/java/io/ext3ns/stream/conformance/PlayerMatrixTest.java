package io.ext3ns.stream.conformance;

import io.ext3ns.stream.server.ServerConfig;
import io.ext3ns.stream.server.StreamingServer;
import io.ext3ns.stream.session.DataPath;
import io.ext3ns.stream.testing.ProbedPackets;
import io.ext3ns.stream.testing.TestStore;
import io.ext3ns.stream.testkit.TestAsset;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every common player plays every asset to its end (issue 15): ffmpeg, GStreamer (rtspsrc) and mpv, each over UDP
 * and over TCP-interleaved, play 30 s titles of H.264+AAC, HEVC, MPEG-2+MP2 and AAC alone from a real store; every
 * packet of every stream but the last must arrive with the source's size and md5, in order, from the first. The 24
 * plays run 8 at a time, in real time (three rounds of 30 s of real-time play, plus making the assets).
 */
class PlayerMatrixTest {
    private static final int PLAYERS_AT_ONCE = 8;

    @Test
    void everyPlayerPlaysEveryAssetToTheEnd() throws Exception {
        Path dir = TestAsset.scratch("matrix");
        ExecutorService pool = Executors.newCachedThreadPool();
        // At most 8 players at once: 24 on 2 cores starved a player for longer than the BYE margin (it then reads the
        // BYE before the last RTP packets still queued, which the server cannot prevent).
        ExecutorService players = Executors.newFixedThreadPool(PLAYERS_AT_ONCE);
        try {
            Map<Assets, Future<Path>> made = new EnumMap<>(Assets.class);
            for (Assets a : Assets.values()) {
                made.put(a, pool.submit(() -> a.make(dir, Assets.SECONDS)));
            }
            Map<Assets, ProbedPackets> sources = new EnumMap<>(Assets.class);
            try (TestStore store = TestStore.create(dir, 64L << 20)) {
                for (Assets a : Assets.values()) {
                    Path file = made.get(a).get();
                    store.addFile("/" + a.fileName(), Files.readAllBytes(file));
                    sources.put(a, ProbedPackets.of(file));
                }
                store.sync();
                try (StreamingServer server = StreamingServer.start(store.fs(),
                        ServerConfig.defaults().withEngine(DataPath.BATCHED, 2, 64L << 20))) {
                    List<String> names = new ArrayList<>();
                    List<Future<ProbedPackets>> plays = new ArrayList<>();
                    for (Assets a : Assets.values()) {
                        for (Players p : Players.values()) {
                            for (boolean tcp : new boolean[]{false, true}) {
                                Path out = Files.createDirectories(dir.resolve(a.name() + "-" + p.name()));
                                String url = "rtsp://127.0.0.1:" + server.rtspPort() + "/" + a.fileName();
                                names.add(p + (tcp ? "-tcp-" : "-udp-") + a);
                                plays.add(players.submit(() -> {
                                    Path got = p.play(url, tcp, out, 150);
                                    keptIfFailing(got, a, p, tcp);
                                    return ProbedPackets.of(got);
                                }));
                            }
                        }
                    }
                    List<String> failures = new ArrayList<>();
                    for (int i = 0; i < plays.size(); i++) {
                        Assets a = Assets.values()[i / (2 * Players.values().length)];
                        try {
                            plays.get(i).get().assertEveryPacketButTheLastOf(sources.get(a));
                            Files.deleteIfExists(kept(names.get(i)));
                        } catch (Exception | AssertionError e) {
                            failures.add(names.get(i) + ": " + e.getMessage());
                        }
                    }
                    assertTrue(failures.isEmpty(), failures.size() + " of " + plays.size() + " plays failed:\n"
                            + String.join("\n", failures));
                }
            }
        } finally {
            players.shutdownNow();
            pool.shutdownNow();
        }
    }

    /** Where a recording is kept for a look after a failed run (target/player-matrix/), deleted when it passes. */
    private static Path kept(String name) {
        return Path.of("target", "player-matrix", name + ".ts");
    }

    private static void keptIfFailing(Path recording, Assets a, Players p, boolean tcp) throws java.io.IOException {
        Path copy = kept(p + (tcp ? "-tcp-" : "-udp-") + a);
        Files.createDirectories(copy.getParent());
        Files.copy(recording, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
