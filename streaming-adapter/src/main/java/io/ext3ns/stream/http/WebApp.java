package io.ext3ns.stream.http;

import io.ext3ns.stream.net.Response;
import io.ext3ns.stream.web.TitleCatalog;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The web page at {@code /}: its files from the jar (under {@code /ui/}, among them hls.js, copied in from the npm
 * registry at build time) and {@code GET /api/titles} (the store's titles as JSON). These paths shadow store files
 * of the same names, as {@code /metrics} does.
 */
public final class WebApp {
    /** Where the page's files lie on the class path. */
    static final String RESOURCES = "/ext3ns-web/";
    public static final String TITLES_PATH = "/api/titles";
    private static final Pattern UI_FILE = Pattern.compile("/ui/((?:[a-z0-9_-]+/)*[a-z0-9_-]+(?:\\.[a-z0-9]+)+)");
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "svg", "image/svg+xml");

    private final TitleCatalog titles;
    private final Map<String, String> loaded = new ConcurrentHashMap<>();

    public WebApp(TitleCatalog titles) {
        this.titles = titles;
    }

    /** Whether {@code path} names one of the page's own files (scripts, styles: nothing of the store's). */
    public boolean isAsset(String path) {
        return UI_FILE.matcher(path).matches();
    }

    /** The answer for {@code path}, or null when the path is not the web page's. */
    public CompletableFuture<Response> answer(String path, boolean head) {
        if (path.equals("/") || path.equals("/index.html")) {
            return CompletableFuture.completedFuture(file("index.html", head));
        }
        if (path.equals(TITLES_PATH)) {
            return titles.json().thenApply(json -> text(200, "application/json", json, head));
        }
        var m = UI_FILE.matcher(path);
        if (m.matches()) {
            return CompletableFuture.completedFuture(file(m.group(1), head));
        }
        return null;
    }

    private Response file(String name, boolean head) {
        String body = loaded.computeIfAbsent(name, WebApp::load);
        if (body.isEmpty()) {
            return text(404, "text/plain", "no such page file: " + name + "\r\n", head);
        }
        String ext = name.substring(name.lastIndexOf('.') + 1);
        return text(200, TYPES.getOrDefault(ext, "application/octet-stream"), body, head);
    }

    private static String load(String name) {
        try (InputStream in = WebApp.class.getResourceAsStream(RESOURCES + name)) {
            return in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Response text(int status, String type, String body, boolean head) {
        Response r = new Response("HTTP/1.1", status).header("Server", "ext3ns")
                .header("Date", HttpDate.format(java.time.Instant.now())).header("Cache-Control", "no-cache");
        if (head) {
            return r.header("Content-Type", type).contentLength(body.getBytes(StandardCharsets.UTF_8).length);
        }
        return r.body(type, body);
    }
}
