package io.ext3ns.fs.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {
    @Test
    void sectionsByCommandNamesWithoutPrefix(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("ext3ns.conf");
        Files.writeString(f, "# comment\nserve.rtsp = 8554\nserve.pool-mb=2048\nmount.cache = 2G \n"
                + "mount.allow_other = true\n");
        ConfigFile c = ConfigFile.load(f);
        assertEquals(Map.of("rtsp", "8554", "pool-mb", "2048"), c.section("serve"));
        assertEquals(Map.of("cache", "2G", "allow_other", "true"), c.section("mount"));
        assertEquals(Map.of(), c.section("shooter"));
    }

    @Test
    void aMissingFileIsNoConfiguration(@TempDir Path tmp) throws IOException {
        assertEquals(Map.of(), ConfigFile.load(tmp.resolve("absent.conf")).section("serve"));
    }

    @Test
    void aNameWithoutSectionIsRefusedWithTheFileNamed(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("ext3ns.conf");
        Files.writeString(f, "rtsp = 8554\n");
        IOException e = assertThrows(IOException.class, () -> ConfigFile.load(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("SECTION.NAME"), e.getMessage());
    }

    @Test
    void aSecretInAFileOthersMayReadIsRefused(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("ext3ns.conf");
        Files.writeString(f, "serve.auth-token = s3cret\nserve.keepalive = 5\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        IOException e = assertThrows(IOException.class, () -> ConfigFile.load(f));
        assertTrue(e.getMessage().contains("auth-token") && e.getMessage().contains("chmod o-r"), e.getMessage());
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
        assertEquals("s3cret", ConfigFile.load(f).section("serve").get("auth-token"));
    }

    @Test
    void aWordThatOnlyContainsKeyIsNoSecret(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("ext3ns.conf");
        Files.writeString(f, "serve.keepalive = 5\nmount.monkey = 1\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals("5", ConfigFile.load(f).section("serve").get("keepalive"));
    }
}
