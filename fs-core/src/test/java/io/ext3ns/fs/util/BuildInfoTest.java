package io.ext3ns.fs.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The build wrote the commit this checkout is at (or "unknown" where there is no .git), and the pom's version. */
class BuildInfoTest {
    private static final Path REPO = Path.of("").toAbsolutePath().getParent();

    @Test
    void commitIsTheCheckoutsHeadOrUnknownWithoutGit() throws Exception {
        String commit = BuildInfo.commit();
        if (!Files.exists(REPO.resolve(".git"))) {
            assertEquals("unknown", commit);
            return;
        }
        Process git = new ProcessBuilder("git", "rev-parse", "--short=12", "HEAD").directory(REPO.toFile()).start();
        String head = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, git.waitFor());
        assertTrue(commit.equals(head) || commit.equals(head + "-dirty"), commit + " vs HEAD " + head);
    }

    @Test
    void versionIsThePomsAndTheLineNamesBoth() throws Exception {
        String pom = Files.readString(REPO.resolve("pom.xml"));
        assertTrue(pom.contains("<version>" + BuildInfo.version() + "</version>"), BuildInfo.version());
        assertEquals("mkfs.ext3ns (EXT3NS) " + BuildInfo.version() + ", commit " + BuildInfo.commit(),
                BuildInfo.versionLine("mkfs.ext3ns"));
    }
}
