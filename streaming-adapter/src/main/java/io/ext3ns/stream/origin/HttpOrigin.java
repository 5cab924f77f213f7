package io.ext3ns.stream.origin;

import io.ext3ns.stream.content.ContentResolver;
import io.ext3ns.stream.content.UpstreamUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * An HTTP(S) origin: nginx, another EXT3NS node's HTTP port, a CDN, a public or presigned bucket. HEAD gives size,
 * ETag and Last-Modified; the fill reads with {@code Range: bytes=} GETs, with {@code If-Match} (or
 * {@code If-Unmodified-Since}) so that a changed object fails the fetch instead of mixing two versions.
 */
public final class HttpOrigin implements Origin {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration HEAD_TIMEOUT = Duration.ofSeconds(15);
    private final URI base;
    private final String query; // a presigned or signed base keeps its query on every request
    private final HttpClient client;

    /** {@code base}: http:// or https:// URL of the directory that holds the titles. */
    public HttpOrigin(URI base) {
        String scheme = base.getScheme();
        if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme) || base.getHost() == null) {
            throw new IllegalArgumentException("origin is not an http(s)://HOST/ URL: " + base);
        }
        String path = base.getRawPath() == null || base.getRawPath().isEmpty() ? "/" : base.getRawPath();
        this.base = URI.create(base.getScheme() + "://" + base.getRawAuthority() + (path.endsWith("/") ? path
                : path + "/"));
        this.query = base.getRawQuery();
        this.client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    private URI uri(String key) {
        return base.resolve(ContentResolver.encode(key) + (query == null ? "" : "?" + query));
    }

    @Override
    public OriginObject head(String key) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(uri(key)).method("HEAD", HttpRequest.BodyPublishers.noBody())
                .timeout(HEAD_TIMEOUT).build();
        HttpResponse<Void> response = send(request, HttpResponse.BodyHandlers.discarding(), key);
        int status = response.statusCode();
        if (status == 404 || status == 410) {
            return null;
        }
        if (status != 200) {
            throw new UpstreamUnavailableException(describe() + " answered HEAD " + key + " with " + status);
        }
        long size = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        if (size < 0) {
            throw new UpstreamUnavailableException(describe() + " gave no Content-Length for " + key);
        }
        long modified = response.headers().firstValue("Last-Modified").map(HttpOrigin::parseDate).orElse(0L);
        return new OriginObject(size, response.headers().firstValue("ETag").orElse(""), modified);
    }

    @Override
    public InputStream get(String key, OriginObject version, long start, long end) throws IOException {
        if (start < 0 || end > version.size() || start >= end) {
            throw new IllegalArgumentException("bad range " + start + "-" + end + " of " + version.size());
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(key)).GET().header("Range",
                "bytes=" + start + "-" + (end - 1));
        if (!version.etag().isEmpty()) {
            b.header("If-Match", version.etag());
        } else if (version.lastModifiedMillis() > 0) {
            b.header("If-Unmodified-Since", DateTimeFormatter.RFC_1123_DATE_TIME.format(
                    ZonedDateTime.ofInstant(java.time.Instant.ofEpochMilli(version.lastModifiedMillis()),
                            java.time.ZoneOffset.UTC)));
        }
        HttpResponse<InputStream> response = send(b.build(), HttpResponse.BodyHandlers.ofInputStream(), key);
        int status = response.statusCode();
        boolean whole = status == 200 && start == 0 && end == version.size();
        if (status != 206 && !whole) {
            response.body().close();
            throw new UpstreamUnavailableException(describe() + " answered GET " + key + " bytes " + start + "-"
                    + (end - 1) + " with " + status + (status == 412 ? " (the object changed)" : ""));
        }
        return response.body();
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body, String key)
            throws IOException {
        try {
            return client.send(request, body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted asking " + describe() + " for " + key);
        } catch (IOException e) {
            throw new UpstreamUnavailableException(describe() + " unreachable for " + key + ": " + e, e);
        }
    }

    private static long parseDate(String value) {
        try {
            return ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            return 0; // an unreadable date only weakens the change check; the ETag and size still hold
        }
    }

    @Override
    public String describe() {
        return base.toString();
    }

    @Override
    public void close() {
        // HttpClient (JDK 17) has no close; its threads are daemons and idle connections time out
    }
}
