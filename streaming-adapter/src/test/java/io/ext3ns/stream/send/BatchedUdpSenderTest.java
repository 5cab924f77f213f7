package io.ext3ns.stream.send;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.stream.feed.Payload;
import io.ext3ns.stream.feed.PayloadFeed;
import io.ext3ns.stream.feed.PinnedUnitFeed;
import io.ext3ns.stream.nativeio.Linux;
import io.ext3ns.stream.source.PlainFileSource;
import io.ext3ns.stream.testkit.RtpReceiver;
import io.ext3ns.stream.testkit.TestAsset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The batched sender on its own: GSO bursts, plain sendmmsg, and the fallback when the kernel refuses GSO. */
class BatchedUdpSenderTest {

    @Test
    void gsoBurstsDeliverTheFile() throws Exception {
        try (BatchedUdpSender sender = new BatchedUdpSender(null, true)) {
            assertTrue(sender.gsoActive(), "loopback on this kernel supports UDP GSO");
            SendStats stats = sendFile(sender);
            assertEquals(0, stats.errors.sum());
            assertTrue(sender.stats().syscalls.sum() * 20 < stats.packets.sum(), "many packets per syscall: "
                    + sender.stats().syscalls.sum() + " syscalls for " + stats.packets.sum() + " packets");
        }
    }

    @Test
    void withoutGsoEveryPacketIsItsOwnMessageStillBatched() throws Exception {
        try (BatchedUdpSender sender = new BatchedUdpSender(null, false)) {
            assertFalse(sender.gsoActive());
            SendStats stats = sendFile(sender);
            assertEquals(0, stats.errors.sum());
            assertTrue(sender.stats().syscalls.sum() * 10 < stats.packets.sum(), "sendmmsg batches");
        }
    }

    @Test
    void aKernelRefusalOfGsoFallsBackToOneDatagramPerPacket() throws Exception {
        try (BatchedUdpSender sender = new BatchedUdpSender(null, true)) {
            // without UDP checksums the kernel refuses every GSO send with EINVAL: a real refusal, as on a NIC
            // without checksum offload (EIO)
            assertEquals(0, sender.socket().setIntOption(Linux.SOL_SOCKET, Linux.SO_NO_CHECK, 1));
            SendStats stats = sendFile(sender);
            assertFalse(sender.gsoActive(), "GSO switched off after the refusal");
            assertEquals(0, stats.errors.sum(), "the refused bursts were resent, not dropped");
            assertEquals(0, stats.dropped.sum());
        }
    }

    /** Streams the test asset through {@code sender} in 49-packet bursts; checks the receiver got it exactly. */
    private static SendStats sendFile(BatchedUdpSender sender) throws Exception {
        Path asset = TestAsset.ts();
        byte[] file = Files.readAllBytes(asset);
        try (PlainFileSource source = new PlainFileSource(asset);
             RtpReceiver rx = new RtpReceiver()) {
            BatchedUdpSink sink = new BatchedUdpSink(sender, rx.address(), null);
            PacketBurst burst = new PacketBurst();
            Payload payload = new Payload();
            int seq = 0;
            try (PinnedUnitFeed feed = new PinnedUnitFeed(source, 0)) {
                int r;
                while ((r = feed.peek(payload)) != PayloadFeed.END) {
                    if (r == PayloadFeed.NOT_READY) {
                        feed.readiness().join();
                        continue;
                    }
                    burst.add(seq++, 0, 1234, payload);
                    feed.advance();
                    if (burst.count() == 49) {
                        drain(sender, sink, burst);
                        Thread.sleep(1); // let the receiver keep up: a 4 MiB receive buffer holds ~60 bursts
                    }
                }
                drain(sender, sink, burst);
            }
            assertTrue(rx.awaitBytes(file.length, 5000), "received " + rx.payloadBytes() + " of " + file.length);
            assertArrayEquals(file, rx.payloadStream());
            assertEquals(List.of(), PlainFileSource.cache().readerLeases(), "the sender released every unit it held");
            return sink.stats();
        }
    }

    private static void drain(BatchedUdpSender sender, BatchedUdpSink sink, PacketBurst burst) throws Exception {
        while (burst.pending() > 0) {
            sink.send(burst);
            if (!sender.flush()) {
                Thread.sleep(1);
            }
        }
        while (!sender.flush()) {
            Thread.sleep(1);
        }
        burst.clear();
    }
}
