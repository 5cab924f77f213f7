package io.ext3ns.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.testing.E2fsprogs;
import io.ext3ns.fs.testing.ExternalTool;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mkfs.ext3ns -J size=N, -O ^has_journal / --no-journal, and the default journal policy, judged by dumpe2fs. */
class MkfsJournalOptionsTest {
    @TempDir
    Path dir;

    private static ExternalTool.Result mkfs(String... args) throws Exception {
        return ToolProcess.run(MkfsMain.class, args);
    }

    private static String header(Path img) throws Exception {
        ExternalTool.Result r = ExternalTool.run("dumpe2fs", "-h", img.toString());
        assertEquals(0, r.exitCode(), r.toString());
        return r.output();
    }

    @Test
    void journalSizeNoJournalAndDefaults() throws Exception {
        Path img = dir.resolve("j.img");
        ExternalTool.Result sized = mkfs("-b", "4K", "-J", "size=8", "--size", "64M", img.toString());
        assertEquals(0, sized.exitCode(), sized.toString());
        assertTrue(sized.output().contains("Journal: 2048 blocks"), sized.output());
        String h = header(img);
        assertTrue(h.contains("has_journal") && h.contains("Total journal blocks:     2048"), h);
        assertEquals(0, E2fsprogs.checkReadOnly(img).exitCode());

        Files.delete(img);
        assertEquals(0, mkfs("-q", "-b", "4K", "--no-journal", "--size", "64M", img.toString()).exitCode());
        assertFalse(header(img).contains("has_journal"));
        Files.delete(img);
        assertEquals(0, mkfs("-q", "-b", "4K", "-O", "^has_journal", "--size", "64M", img.toString()).exitCode());
        assertFalse(header(img).contains("has_journal"));

        Files.delete(img);
        ExternalTool.Result dflt = mkfs("-b", "1M", "--size", "512M", img.toString());
        assertEquals(0, dflt.exitCode(), dflt.toString());
        assertTrue(dflt.output().contains("No journal"), "small volume at 1 MiB blocks: " + dflt.output());

        // above 64 KiB blocks only our journal reads the volume: a small one (docs/journal.md), 1/32 of 4 GiB here
        Files.delete(img);
        ExternalTool.Result media = mkfs("-b", "1M", "--size", "4G", img.toString());
        assertEquals(0, media.exitCode(), media.toString());
        assertTrue(media.output().contains("Journal: 128 blocks (128M)"), media.output());
        Files.delete(img);
        ExternalTool.Result least = mkfs("-b", "1M", "-J", "size=64", "--size", "4G", img.toString());
        assertEquals(0, least.exitCode(), least.toString());
        assertTrue(least.output().contains("Journal: 64 blocks (64M)"), least.output());
    }

    /** Issue 16: mke2fs makes this volume; its 16384-block journal does not fit one 8192-block group and spans. */
    @Test
    void oneKilobyteBlocksOn512MiBGetTheirJournalAsMke2fsDoes() throws Exception {
        Path img = dir.resolve("k1.img");
        ExternalTool.Result r = mkfs("-b", "1024", "--size", "512M", img.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.output().contains("Journal: 16384 blocks"), r.output());
        assertEquals(0, E2fsprogs.checkReadOnly(img).exitCode());
    }

    @Test
    void refusesJournalsJbd2CannotHave() throws Exception {
        Path img = dir.resolve("bad.img");
        ExternalTool.Result small = mkfs("-b", "1M", "-J", "size=32", "--size", "4G", img.toString());
        assertEquals(1, small.exitCode(), small.toString());
        assertTrue(small.output().contains("smallest journal is 64 MiB"), small.output());
        // up to 64 KiB blocks e2fsck and the kernel read the journal: JBD2's 1024 blocks stay the minimum
        ExternalTool.Result e2fsckReadable = mkfs("-b", "64K", "-J", "size=32", "--size", "4G", img.toString());
        assertEquals(1, e2fsckReadable.exitCode(), e2fsckReadable.toString());
        assertTrue(e2fsckReadable.output().contains("a journal needs 1024 to"), e2fsckReadable.output());
        ExternalTool.Result both = mkfs("-b", "4K", "-J", "size=8", "--no-journal", "--size", "64M", img.toString());
        assertEquals(1, both.exitCode(), both.toString());
        ExternalTool.Result other = mkfs("-b", "4K", "-O", "dir_index", "--size", "64M", img.toString());
        assertEquals(1, other.exitCode(), other.toString());
        assertTrue(other.output().contains("only has_journal"), other.output());
    }
}
