package io.ext3ns.bench.stream;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A network device as the sink, for a sender cost without loopback's delivery: a persistent TUN device that no
 * process reads (made with ip tuntap, so it needs root). A datagram sent to its peer address goes through the whole
 * send path (UDP, IP, neighbour, qdisc) to the driver, which drops it and counts it in tx_dropped: what a NIC would
 * take by DMA, minus the DMA. Nothing is delivered, so the sink has no CPU of its own. A GSO burst reaches the driver
 * as one unsegmented datagram (counted once), as it would reach a NIC that segments UDP in hardware. The device is
 * deleted on close (and one left by a killed run is replaced).
 */
final class TunDeviceSink implements BenchSink {
    static final String DEVICE = "ext3nsbench0";
    private static final String LOCAL = "10.213.77.1";
    private static final String PEER = "10.213.77.2";
    private static final int PORT = 5004;

    private TunDeviceSink() {
    }

    static TunDeviceSink create() throws IOException {
        if (Files.exists(statistics("tx_dropped"))) {
            ip("tuntap", "del", "dev", DEVICE, "mode", "tun");
        }
        ip("tuntap", "add", "dev", DEVICE, "mode", "tun");
        TunDeviceSink sink = new TunDeviceSink();
        try {
            ip("addr", "add", LOCAL + "/30", "dev", DEVICE);
            ip("link", "set", DEVICE, "up");
            return sink;
        } catch (IOException | RuntimeException e) {
            sink.close();
            throw e;
        }
    }

    @Override
    public InetSocketAddress address() throws IOException {
        return new InetSocketAddress(InetAddress.getByName(PEER), PORT);
    }

    @Override
    public long datagrams() throws IOException {
        return counter("tx_dropped") + counter("tx_packets");
    }

    @Override
    public long cpuNanos() {
        return 0;
    }

    @Override
    public void close() throws IOException {
        ip("tuntap", "del", "dev", DEVICE, "mode", "tun");
    }

    private static Path statistics(String counter) {
        return Path.of("/sys/class/net", DEVICE, "statistics", counter);
    }

    private static long counter(String name) throws IOException {
        return Long.parseLong(Files.readString(statistics(name)).trim());
    }

    private static void ip(String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed (--sink device needs root and TUN): "
                        + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running " + String.join(" ", command), e);
        } finally {
            p.destroy();
        }
    }
}
