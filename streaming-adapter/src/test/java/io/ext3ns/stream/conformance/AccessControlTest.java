package io.ext3ns.stream.conformance;

import io.ext3ns.stream.access.AccessPolicy;
import io.ext3ns.stream.access.CorsPolicy;
import io.ext3ns.stream.access.UrlSecret;
import io.ext3ns.stream.access.UrlSigner;
import io.ext3ns.stream.conformance.HttpConformanceTest.Answer;
import io.ext3ns.stream.server.CommandRunner;
import io.ext3ns.stream.server.ServerConfig;
import io.ext3ns.stream.server.SignMain;
import io.ext3ns.stream.server.StreamingServer;
import io.ext3ns.stream.session.DataPath;
import io.ext3ns.stream.testkit.RtspClient;
import io.ext3ns.stream.testing.Processes;
import io.ext3ns.stream.testing.TestStore;
import io.ext3ns.stream.testkit.TestAsset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Access control of issue 19 on a real store and server: signed URLs accepted, and missing, tampered and expired
 * ones refused (403), over HTTP (media, a title's sub-paths, a folder's files, URL-encoded names, /metrics left
 * open) and RTSP (DESCRIBE, SETUP of the track URL, PLAY; ffprobe plays a signed URL); URLs made by ext3ns-sign and
 * by the openssl recipe of docs/server.md served; CORS headers on 200, 206, 403 and /metrics, OPTIONS preflights
 * with "*" and with a list of origins.
 */
class AccessControlTest {
    private static final Path REPO = Path.of("").toAbsolutePath().getParent();
    private static final String FILM = "/Mon film/été & co.ts"; // a name that needs URL-encoding
    private static TestStore store;
    private static StreamingServer signed; // --url-secret, --cors-origin '*'
    private static StreamingServer listed; // no secret, --cors-origin with two origins
    private static Path secretFile;
    private static UrlSigner signer;
    private static byte[] asset;

    @BeforeAll
    static void start() throws Exception {
        Path dir = TestAsset.scratch("access");
        asset = Files.readAllBytes(TestAsset.ts());
        store = TestStore.create(dir, 64L << 20);
        store.addFile("/a.ts", asset);
        store.addFile("/dir/b.ts", Arrays.copyOf(asset, 188 * 4000));
        store.addFile(FILM, Arrays.copyOf(asset, 188 * 1000));
        store.sync();
        secretFile = dir.resolve("url.secret");
        Files.writeString(secretFile, "c2VjcmV0IGZvciB0aGUgdGVzdCBvbmx5IQ==\n");
        Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-------"));
        signer = UrlSecret.read(secretFile);
        ServerConfig base = ServerConfig.defaults().withEngine(DataPath.FAST, 1, 16L << 20);
        signed = StreamingServer.start(store.fs(), base.withAccess(new AccessPolicy(CorsPolicy.parse("*"), signer)));
        listed = StreamingServer.start(store.fs(), base.withAccess(AccessPolicy.OPEN.withCors(
                CorsPolicy.parse("https://a.example http://b.example:8080"))));
    }

    @AfterAll
    static void stop() throws Exception {
        try (TestStore s = store; StreamingServer a = signed; StreamingServer b = listed) {
            // all closed
        }
    }

    private static String sign(String path, long exp) {
        return path + "?" + signer.signedQuery(path, exp, UrlSigner.Encoding.HEX);
    }

    private static long inAnHour() {
        return System.currentTimeMillis() / 1000 + 3600;
    }

    private static Answer http(StreamingServer server, String method, String target, String... headers)
            throws IOException {
        StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n");
        for (String h : headers) {
            head.append(h).append("\r\n");
        }
        try (Socket s = new Socket("127.0.0.1", server.httpPort())) {
            s.setSoTimeout(20000);
            s.getOutputStream().write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            return HttpConformanceTest.read(s.getInputStream(), method.equals("HEAD") || method.equals("OPTIONS"));
        }
    }

    private static String body(Answer a) {
        return new String(a.body(), StandardCharsets.UTF_8);
    }

    @Test
    void httpServesSignedUrlsAndRefusesTheRest() throws Exception {
        String url = sign("/a.ts", inAnHour());
        Answer whole = http(signed, "GET", url);
        assertEquals(200, whole.status());
        assertArrayEquals(asset, whole.body());
        assertEquals("*", whole.header("Access-Control-Allow-Origin"));
        assertEquals(CorsPolicy.EXPOSE_HEADERS, whole.header("Access-Control-Expose-Headers"));
        Answer range = http(signed, "GET", url, "Range: bytes=100-199", "Origin: https://player.example");
        assertEquals(206, range.status());
        assertArrayEquals(Arrays.copyOfRange(asset, 100, 200), range.body());
        assertEquals("bytes 100-199/" + asset.length, range.header("Content-Range"));
        assertEquals("*", range.header("Access-Control-Allow-Origin"));
        assertEquals(200, http(signed, "HEAD", url).status());

        Answer missing = http(signed, "GET", "/a.ts");
        assertEquals(403, missing.status());
        assertTrue(body(missing).contains("signed URL required"), body(missing));
        assertEquals("*", missing.header("Access-Control-Allow-Origin"), "a script may read why it was refused");
        assertEquals(403, http(signed, "GET", "/no-such-file.ts").status(), "names are not revealed unsigned");
        assertEquals(403, http(signed, "HEAD", "/a.ts").status());
        String tampered = url.replace("/a.ts", "/dir/b.ts");
        assertTrue(body(http(signed, "GET", tampered)).contains("does not match"));
        String otherExp = url.replaceFirst("exp=\\d+", "exp=" + (inAnHour() + 60));
        assertEquals(403, http(signed, "GET", otherExp).status());
        Answer expired = http(signed, "GET", sign("/a.ts", System.currentTimeMillis() / 1000 - 10));
        assertEquals(403, expired.status());
        assertTrue(body(expired).contains("expired"), body(expired));

        // a folder's signature grants its files; a title's grants its sub-paths (the HLS playlists) only
        assertEquals(200, http(signed, "GET", "/dir/b.ts?" + sign("/dir", inAnHour()).split("\\?")[1]).status());
        assertEquals(403, http(signed, "GET", "/a.ts?" + sign("/dir", inAnHour()).split("\\?")[1]).status());
        int playlist = http(signed, "GET", "/a.ts/index.m3u8?" + url.split("\\?")[1]).status();
        assertTrue(playlist == 404 || playlist == 200, "authorized, then looked up (404 without HLS): " + playlist);
        assertEquals(403, http(signed, "GET", "/a.ts/index.m3u8").status());

        // /metrics is never signed (a scraper cannot sign); it carries the CORS headers too
        Answer metrics = http(signed, "GET", "/metrics");
        assertEquals(200, metrics.status());
        assertEquals("*", metrics.header("Access-Control-Allow-Origin"));
        assertTrue(body(metrics).contains("ext3ns_http_requests_total{method=\"GET\",status=\"403\"}"),
                "refusals are counted");
    }

    @Test
    void urlsFromExt3nsSignAndFromTheOpensslRecipeAreServed() throws Exception {
        StringWriter out = new StringWriter();
        int exit = CommandRunner.commandLine(new SignMain()).setOut(new PrintWriter(out))
                .execute("--secret", secretFile.toString(), "--ttl", "10m", "--encoding", "base64url", FILM);
        assertEquals(0, exit);
        String printed = out.toString().strip();
        assertTrue(printed.startsWith("/Mon%20film/%C3%A9t%C3%A9%20%26%20co.ts?exp="), printed);
        long exp = Long.parseLong(printed.replaceFirst(".*exp=(\\d+)&.*", "$1"));
        long now = System.currentTimeMillis() / 1000;
        assertTrue(exp > now + 500 && exp <= now + 600, "exp " + exp + " is 10 minutes from " + now);
        Answer film = http(signed, "GET", printed);
        assertEquals(200, film.status(), body(film));
        assertArrayEquals(Arrays.copyOf(asset, 188 * 1000), film.body());

        StringWriter folder = new StringWriter();
        assertEquals(0, CommandRunner.commandLine(new SignMain()).setOut(new PrintWriter(folder))
                .execute("--secret", secretFile.toString(), "--expires", String.valueOf(now + 100), "/dir/"));
        assertTrue(folder.toString().startsWith("/dir?exp=" + (now + 100) + "&sig="), folder.toString());
        assertEquals(200, http(signed, "GET", "/dir/b.ts?" + folder.toString().strip().split("\\?")[1]).status());
        assertEquals(2, CommandRunner.commandLine(new SignMain()).setErr(new PrintWriter(new StringWriter()))
                .execute("--secret", secretFile.toString(), "/dir/../a.ts"), "dot segments refused");

        // the recipe docs/server.md gives for signing without ext3ns-sign
        String doc = Files.readString(REPO.resolve("docs/server.md"));
        String recipe = doc.lines().filter(l -> l.startsWith("sig=$(printf")).findFirst().orElseThrow();
        String sig = Processes.run(List.of("bash", "-c", "set -o pipefail; secret=" + secretFile + " path='/a.ts' exp=" + (now + 100)
                + "; " + recipe + "; printf %s \"$sig\""), 30);
        assertEquals(64, sig.length(), sig);
        assertEquals(200, http(signed, "GET", "/a.ts?exp=" + (now + 100) + "&sig=" + sig).status());
    }

    @Test
    void preflightsAndCorsHeadersFollowThePolicy() throws Exception {
        Answer pre = http(signed, "OPTIONS", "/a.ts", "Origin: https://player.example",
                "Access-Control-Request-Method: GET", "Access-Control-Request-Headers: range");
        assertEquals(204, pre.status());
        assertEquals("*", pre.header("Access-Control-Allow-Origin"));
        assertEquals("GET, HEAD, OPTIONS", pre.header("Access-Control-Allow-Methods"));
        assertTrue(pre.header("Access-Control-Allow-Headers").contains("Range"));
        assertEquals("86400", pre.header("Access-Control-Max-Age"));
        assertEquals("GET, HEAD, OPTIONS", pre.header("Allow"));
        assertNull(pre.header("Content-Length"), "204 has no length");
        Answer plain = http(signed, "OPTIONS", "*");
        assertEquals(204, plain.status());
        assertEquals("GET, HEAD, OPTIONS", plain.header("Allow"));
        assertNull(plain.header("Access-Control-Allow-Methods"), "not a preflight");
        Answer post = http(listed, "POST", "/a.ts");
        assertEquals(405, post.status());
        assertEquals("GET, HEAD, OPTIONS", post.header("Allow"));

        Answer granted = http(listed, "OPTIONS", "/a.ts", "Origin: https://a.example",
                "Access-Control-Request-Method: GET");
        assertEquals(204, granted.status());
        assertEquals("https://a.example", granted.header("Access-Control-Allow-Origin"));
        assertEquals("Origin", granted.header("Vary"));
        assertEquals("GET, HEAD, OPTIONS", granted.header("Access-Control-Allow-Methods"));
        Answer stranger = http(listed, "OPTIONS", "/a.ts", "Origin: https://evil.example",
                "Access-Control-Request-Method: GET");
        assertEquals(204, stranger.status());
        assertNull(stranger.header("Access-Control-Allow-Origin"));
        assertNull(stranger.header("Access-Control-Allow-Methods"));

        Answer get = http(listed, "GET", "/a.ts", "Origin: http://b.example:8080", "Range: bytes=0-9");
        assertEquals(206, get.status(), "no secret: nothing to sign");
        assertEquals("http://b.example:8080", get.header("Access-Control-Allow-Origin"));
        assertEquals("Origin", get.header("Vary"));
        Answer other = http(listed, "GET", "/a.ts", "Origin: https://evil.example", "Range: bytes=0-9");
        assertEquals(206, other.status());
        assertNull(other.header("Access-Control-Allow-Origin"));
        Answer metrics = http(listed, "GET", "/metrics", "Origin: https://a.example");
        assertEquals("https://a.example", metrics.header("Access-Control-Allow-Origin"));
    }

    @Test
    void rtspChecksDescribeSetupAndPlay() throws Exception {
        String base = "rtsp://127.0.0.1:" + signed.rtspPort();
        String query = signer.signedQuery("/a.ts", inAnHour(), UrlSigner.Encoding.HEX);
        try (RtspClient c = new RtspClient("127.0.0.1", signed.rtspPort())) {
            assertEquals(403, c.request("DESCRIBE", base + "/a.ts").status());
            assertEquals(403, c.request("DESCRIBE", base + "/no-such.ts").status());
            assertEquals(403, c.request("DESCRIBE", base + "/dir/b.ts?" + query).status(), "tampered");
            String expired = signer.signedQuery("/a.ts", System.currentTimeMillis() / 1000 - 1,
                    UrlSigner.Encoding.BASE64URL);
            RtspClient.Reply old = c.request("DESCRIBE", base + "/a.ts?" + expired);
            assertEquals(403, old.status());
            assertTrue(old.body().contains("expired"), old.body());

            RtspClient.Reply describe = c.request("DESCRIBE", base + "/a.ts?" + query);
            assertEquals(200, describe.status());
            assertEquals(base + "/a.ts/?" + query, describe.header("Content-Base"));
            assertTrue(describe.body().contains("a=control:" + base + "/a.ts/trackID=0?" + query + "\r\n"),
                    describe.body());
            String transport = "Transport: RTP/AVP/TCP;unicast;interleaved=0-1";
            assertEquals(403, c.request("SETUP", base + "/a.ts/trackID=0", transport).status());
            RtspClient.Reply setup = c.request("SETUP", base + "/a.ts/trackID=0?" + query, transport);
            assertEquals(200, setup.status());
            String session = "Session: " + setup.header("Session").split(";")[0];
            assertEquals(403, c.request("PLAY", base + "/a.ts/", session).status());
            String other = signer.signedQuery("/dir/b.ts", inAnHour(), UrlSigner.Encoding.HEX);
            assertEquals(403, c.request("PLAY", base + "/dir/b.ts/?" + other, session).status(),
                    "PLAY's token must grant the title SETUP named");
            RtspClient.Reply play = c.request("PLAY", base + "/a.ts/?" + query, session, "Range: npt=0-");
            assertEquals(200, play.status());
            assertTrue(play.header("RTP-Info").startsWith("url=" + base + "/a.ts/trackID=0?" + query + ";"),
                    play.header("RTP-Info"));
            assertEquals(200, c.request("TEARDOWN", base + "/a.ts/?" + query, session).status());
        }
        // a real player: ffprobe follows Content-Base and the control URL, so SETUP and PLAY carry the token
        for (String transport : List.of("tcp", "udp")) {
            String streams = Processes.run(List.of("ffprobe", "-v", "error", "-rtsp_transport", transport,
                    "-show_entries", "stream=codec_type", "-of", "csv=p=0", base + "/a.ts?" + query), 60);
            assertEquals(List.of("audio", "video"), streams.lines().map(String::strip)
                    .filter(l -> !l.isEmpty()).distinct().sorted().toList(), streams);
        }
        IOException refused = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> Processes.run(
                List.of("ffprobe", "-v", "error", "-rtsp_transport", "tcp", base + "/a.ts"), 60));
        assertTrue(refused.getMessage().contains("403"), refused.getMessage());
    }
}
