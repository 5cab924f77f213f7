package io.ext3ns.tools;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * ext3ns-import --prefetch: warms titles on an edge store (docs/edge.md) ahead of demand by reading each one whole,
 * through the edge's mount (a directory) or its HTTP port (http(s)://HOST:PORT/): the read fills the title from the
 * origin and returns when every byte is in the edge's volume. The edge decides what to fetch; nothing is copied
 * from this machine.
 */
final class Prefetch {
    private Prefetch() {
    }

    /** Exit status 0 when every title is warm, 1 when one could not be fetched (each is reported). */
    static int run(List<String> titles, String edge, boolean quiet, PrintStream out, PrintStream err) {
        boolean http = edge.startsWith("http://") || edge.startsWith("https://");
        if (!http && !Files.isDirectory(Path.of(edge))) {
            err.println("ext3ns-import: --prefetch needs an edge's mount directory or http(s)://HOST:PORT/, not "
                    + edge);
            return ImportMain.EXIT_USAGE;
        }
        HttpClient client = http ? HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build() : null;
        int failed = 0;
        for (String title : titles) {
            long start = System.nanoTime();
            try {
                long bytes = http ? viaHttp(client, edge, title) : viaMount(Path.of(edge), title);
                if (!quiet) {
                    out.printf(Locale.ROOT, "warm: %s (%.1f MB in %.1f s)%n", title, bytes / 1e6,
                            (System.nanoTime() - start) / 1e9);
                }
            } catch (IOException e) {
                err.println("ext3ns-import: prefetching " + title + " failed: " + e.getMessage());
                failed++;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                err.println("ext3ns-import: interrupted while prefetching " + title);
                return ImportFailure.FAILED;
            }
        }
        return failed == 0 ? 0 : ImportFailure.REFUSED;
    }

    private static long viaMount(Path mount, String title) throws IOException {
        Path file = mount.resolve(title.startsWith("/") ? title.substring(1) : title).normalize();
        if (!file.startsWith(mount.normalize())) {
            throw new IOException("the title leaves the mount");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return in.transferTo(OutputStream.nullOutputStream());
        }
    }

    private static long viaHttp(HttpClient client, String edge, String title) throws IOException,
            InterruptedException {
        URI base = URI.create(edge.endsWith("/") ? edge : edge + "/");
        URI uri;
        try {
            uri = new URI(base.getScheme(), base.getRawAuthority(), base.getPath()
                    + (title.startsWith("/") ? title.substring(1) : title), null, null);
        } catch (URISyntaxException e) {
            throw new IOException("not a title path: " + title);
        }
        HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(uri).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            if (r.statusCode() != 200) {
                throw new IOException(uri + " answered " + r.statusCode() + (r.statusCode() == 404
                        ? " (not at the origin)" : r.statusCode() == 502 ? " (origin unavailable)" : ""));
            }
            long n = in.transferTo(OutputStream.nullOutputStream());
            long expected = r.headers().firstValueAsLong("Content-Length").orElse(n);
            if (n != expected) {
                throw new IOException(uri + " ended after " + n + " of " + expected + " bytes");
            }
            return n;
        }
    }
}
