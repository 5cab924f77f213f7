package io.ext3ns.stream.web;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Debian's Chromium, headless, driven over the DevTools protocol (a WebSocket from the JDK's HTTP client; no
 * driver to install): opens one page, evaluates JavaScript in it, takes screenshots. Its own profile directory,
 * removed on close with the process.
 */
final class HeadlessChromium implements Closeable {
    static final String BINARY = "/usr/bin/chromium";
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
    private static final Pattern PAGE_SOCKET = Pattern.compile(
            "\"type\": \"page\",[^}]*?\"webSocketDebuggerUrl\": \"(ws://[^\"]+)\"");
    private static final Pattern RESPONSE_ID = Pattern.compile("^\\{\"id\":(\\d+),");

    private final Path profile;
    private final Process process;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<String>> pending = new ConcurrentHashMap<>();
    private final StringBuilder log = new StringBuilder();

    HeadlessChromium(String url) throws IOException, InterruptedException {
        profile = Files.createTempDirectory("ext3ns-chromium");
        // chromium puts its singleton socket in TMPDIR (org.chromium.Chromium.*): inside the profile, so close() takes it
        Path tmp = Files.createDirectory(profile.resolve("tmp"));
        ProcessBuilder chromium = new ProcessBuilder(BINARY, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--autoplay-policy=no-user-gesture-required", "--window-size=1000,900",
                "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                "--user-data-dir=" + profile, url).redirectErrorStream(true);
        chromium.environment().put("TMPDIR", tmp.toString());
        process = chromium.start();
        try {
            socket = connect();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Reads the browser's output until it names its DevTools endpoint, then attaches to the page it opened. */
    private WebSocket connect() throws IOException, InterruptedException {
        CompletableFuture<String> endpoint = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    synchronized (log) {
                        if (log.length() < 100_000) {
                            log.append(line).append('\n');
                        }
                    }
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        endpoint.complete(m.group(1));
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
            endpoint.completeExceptionally(new IOException("chromium ended without a DevTools endpoint:\n" + log()));
        }, "chromium-output");
        reader.setDaemon(true);
        reader.start();
        URI browser;
        try {
            browser = URI.create(endpoint.get(60, TimeUnit.SECONDS));
        } catch (Exception e) {
            throw new IOException("chromium did not start: " + e + "\n" + log(), e);
        }
        HttpClient http = HttpClient.newHttpClient();
        String list = http.send(HttpRequest.newBuilder(URI.create("http://" + browser.getAuthority() + "/json/list"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher page = PAGE_SOCKET.matcher(list);
        if (!page.find()) {
            throw new IOException("no page target in " + list);
        }
        return http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30))
                .buildAsync(URI.create(page.group(1)), new Listener()).join();
    }

    String log() {
        synchronized (log) {
            return log.toString();
        }
    }

    /** Sends one DevTools command; returns its raw JSON response. */
    String call(String method, String paramsJson) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<String> answer = new CompletableFuture<>();
        pending.put(id, answer);
        socket.sendText("{\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + paramsJson + "}", true)
                .get(30, TimeUnit.SECONDS);
        String response = answer.get(60, TimeUnit.SECONDS);
        if (response.contains("\"error\":{")) {
            throw new IOException(method + " failed: " + response);
        }
        return response;
    }

    /** Evaluates {@code expression} (which must give a string) in the page; returns that string. */
    String eval(String expression) throws Exception {
        String response = call("Runtime.evaluate", "{\"expression\":" + quote(expression)
                + ",\"returnByValue\":true,\"awaitPromise\":true}");
        if (response.contains("\"exceptionDetails\"")) {
            throw new IOException("page threw: " + response);
        }
        return stringValue(response);
    }

    /** A PNG of the page as it is now. */
    byte[] screenshot() throws Exception {
        String response = call("Page.captureScreenshot", "{\"format\":\"png\"}");
        Matcher m = Pattern.compile("\"data\":\"([A-Za-z0-9+/=]+)\"").matcher(response);
        if (!m.find()) {
            throw new IOException("no screenshot in the response");
        }
        return Base64.getDecoder().decode(m.group(1));
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder message = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            message.append(data);
            if (last) {
                String text = message.toString();
                message.setLength(0);
                Matcher m = RESPONSE_ID.matcher(text);
                if (m.find()) {
                    CompletableFuture<String> answer = pending.remove(Integer.parseInt(m.group(1)));
                    if (answer != null) {
                        answer.complete(text);
                    }
                }
            }
            ws.request(1);
            return null;
        }
    }

    static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    /** The string in {@code "value":"..."} of a Runtime.evaluate response, JSON escapes undone. */
    static String stringValue(String response) throws IOException {
        int at = response.indexOf("\"value\":\"");
        if (at < 0) {
            throw new IOException("no string value in " + response);
        }
        StringBuilder out = new StringBuilder();
        for (int i = at + 9; i < response.length(); i++) {
            char c = response.charAt(i);
            if (c == '"') {
                return out.toString();
            }
            if (c == '\\') {
                char e = response.charAt(++i);
                switch (e) {
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    case 'r' -> out.append('\r');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> {
                        out.append((char) Integer.parseInt(response.substring(i + 1, i + 5), 16));
                        i += 4;
                    }
                    default -> out.append(e);
                }
            } else {
                out.append(c);
            }
        }
        throw new IOException("unterminated string in " + response);
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.abort();
        }
        List<ProcessHandle> children = process.descendants().toList(); // renderers, GPU and zygote processes
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        children.forEach(ProcessHandle::destroyForcibly);
        try (Stream<Path> walk = Files.walk(profile)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }

}
