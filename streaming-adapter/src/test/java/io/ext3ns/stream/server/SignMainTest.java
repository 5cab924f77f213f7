package io.ext3ns.stream.server;

import io.ext3ns.stream.access.UrlSecret;
import io.ext3ns.stream.access.UrlSigner;
import io.ext3ns.stream.content.ContentResolver;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ext3ns-sign as its users call it: the printed URL verifies for the store path, durations, refusals. */
class SignMainTest {
    private record Run(int exit, String out, String err) {
    }

    private static Run sign(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = CommandRunner.commandLine(new SignMain()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static Path secret(Path dir) throws Exception {
        Path f = dir.resolve("url.secret");
        Files.writeString(f, "a-secret-of-more-than-16-bytes\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    @Test
    void thePrintedUrlIsTheEncodedPathAndAQueryTheServerAccepts(@TempDir Path dir) throws Exception {
        Path s = secret(dir);
        Run r = sign("--secret", s.toString(), "--expires", "2000000000", "/films/Été 2/a+b.ts");
        assertEquals(0, r.exit(), r.err());
        String url = r.out().strip();
        assertTrue(url.startsWith("/films/%C3%89t%C3%A9%202/a%2Bb.ts?exp=2000000000&sig="), url);
        String query = url.substring(url.indexOf('?') + 1);
        String path = ContentResolver.decode(url.substring(0, url.indexOf('?')));
        assertEquals("/films/Été 2/a+b.ts", path);
        UrlSigner signer = UrlSecret.read(s);
        assertEquals(UrlSigner.Verdict.GRANTED, signer.verify(path, query, 2_000_000_000L));
        assertEquals(UrlSigner.Verdict.EXPIRED, signer.verify(path, query, 2_000_000_001L));
        assertEquals(64, query.length() - query.indexOf("sig=") - 4, "hex by default");
    }

    @Test
    void durationsAndTheFolderForm(@TempDir Path dir) throws Exception {
        Path s = secret(dir);
        for (String[] ttl : new String[][]{{"90", "90"}, {"90s", "90"}, {"15m", "900"}, {"2h", "7200"},
                {"7d", "604800"}}) {
            long before = System.currentTimeMillis() / 1000;
            Run r = sign("--secret", s.toString(), "--ttl", ttl[0], "/a.ts");
            long after = System.currentTimeMillis() / 1000;
            long exp = Long.parseLong(r.out().replaceFirst("(?s).*exp=(\\d+)&.*", "$1"));
            long seconds = Long.parseLong(ttl[1]);
            assertTrue(exp >= before + seconds && exp <= after + seconds, ttl[0] + ": " + r.out());
        }
        Run folder = sign("--secret", s.toString(), "--encoding", "base64url", "--expires", "5", "/movies//");
        assertTrue(folder.out().matches("/movies\\?exp=5&sig=[A-Za-z0-9_-]{43}\\s*"), folder.out());
    }

    @Test
    void badArgumentsAreRefusedWithTheReason(@TempDir Path dir) throws Exception {
        Path s = secret(dir);
        assertTrue(sign("--secret", s.toString(), "a.ts").err().contains("PATH must start with '/'"));
        assertTrue(sign("--secret", s.toString(), "/a/./b.ts").err().contains(". or .. segments"));
        assertTrue(sign("--secret", s.toString(), "--ttl", "0", "/a.ts").err().contains("not a positive duration"));
        assertTrue(sign("--secret", s.toString(), "--ttl", "1y", "/a.ts").err().contains("not a positive duration"));
        assertEquals(2, sign("--secret", s.toString(), "--ttl", "1y", "/a.ts").exit());
        assertEquals(2, sign("/a.ts").exit(), "--secret is required");
        Path empty = dir.resolve("empty");
        Files.createFile(empty);
        Files.setPosixFilePermissions(empty, PosixFilePermissions.fromString("rw-------"));
        // as the launcher runs it: an unusable secret file is one line on stderr and exit 8
        assertEquals(8, CommandRunner.run("ext3ns-sign", new SignMain(), new String[]{"--secret", empty.toString(),
                "/a.ts"}));
    }
}
