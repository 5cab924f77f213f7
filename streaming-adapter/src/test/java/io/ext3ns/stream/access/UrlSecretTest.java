package io.ext3ns.stream.access;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The secret file: trailing line ends are not part of the key; empty, short, missing, public files are refused. */
class UrlSecretTest {
    private static final String KEY = "k7Jd0cVn3Lq9Zr2Wx5Ty8Ba1";

    private static Path secret(Path dir, String name, byte[] content, String perms) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, content);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(perms));
        return f;
    }

    private static String message(Path f) {
        return assertThrows(IOException.class, () -> UrlSecret.read(f)).getMessage();
    }

    @Test
    void trailingLineEndsAreNotPartOfTheKey(@TempDir Path dir) throws Exception {
        String expected = new UrlSigner(KEY.getBytes(StandardCharsets.US_ASCII)).signedQuery("/a.ts", 10,
                UrlSigner.Encoding.HEX);
        for (String content : new String[]{KEY, KEY + "\n", KEY + "\r\n", KEY + "\n\n"}) {
            Path f = secret(dir, "s" + content.length(), content.getBytes(StandardCharsets.US_ASCII), "rw-------");
            assertEquals(expected, UrlSecret.read(f).signedQuery("/a.ts", 10, UrlSigner.Encoding.HEX));
        }
        Path spaced = secret(dir, "spaced", (KEY + " \n").getBytes(StandardCharsets.US_ASCII), "rw-r-----");
        assertTrue(!expected.equals(UrlSecret.read(spaced).signedQuery("/a.ts", 10, UrlSigner.Encoding.HEX)),
                "only line ends are stripped");
    }

    @Test
    void unusableSecretFilesAreRefusedSayingWhy(@TempDir Path dir) throws Exception {
        assertTrue(message(secret(dir, "empty", new byte[0], "rw-------")).contains("empty"));
        assertTrue(message(secret(dir, "newline", "\n".getBytes(StandardCharsets.US_ASCII), "rw-------"))
                .contains("empty"));
        assertTrue(message(secret(dir, "short", "short\n".getBytes(StandardCharsets.US_ASCII), "rw-------"))
                .contains("5 bytes, at least 16"));
        String shared = message(secret(dir, "shared", KEY.getBytes(StandardCharsets.US_ASCII), "rw-r--r--"));
        assertTrue(shared.contains("others may read it: chmod o-r"), shared);
        assertTrue(message(dir.resolve("absent")).contains("no such file"));
        assertTrue(message(dir).contains("not a regular file"));
        assertTrue(message(secret(dir, "movie", new byte[5000], "rw-------")).contains("not a secret"));
    }
}
