package io.ext3ns.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.tools.ImportMain;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ext3ns-import with a real mount: the offline form on the mounted volume is refused with the hint to use the mount
 * point, and importing into the mount point copies the tree through FUSE (the image checks clean after unmount).
 */
class ImportIntoMountTest {
    @TempDir
    Path tmp;

    private static List<String> importCommand(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), ImportMain.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Test
    void offlineImportOfAMountedVolumeIsRefusedAndTheMountPointTakesIt() throws Exception {
        Path image = TestImages.ext3ns(tmp.resolve("vol.img"), 256L << 20, 1 << 20);
        Path mnt = tmp.resolve("mnt");
        Shell.bash(tmp, CopyTreeTest.MAKE_TREE).check();
        String original = Shell.bash(tmp.resolve("src"), CopyTreeTest.LISTING).check().out();
        MountProcess.withMount(image, mnt, "", mount -> {
            Shell.Result offline = Shell.run(tmp, importCommand("src", image + ":/"), 120);
            assertEquals(1, offline.exit(), offline.out() + offline.err());
            assertTrue(offline.err().contains("import into the mount point instead"), offline.err());

            Shell.Result into = Shell.run(tmp, importCommand("-q", "src", mnt.toString()), 120);
            assertEquals(0, into.exit(), into.out() + into.err());
            Shell.bash(tmp, "diff -r --no-dereference src " + mnt + "/src").check();
            // types, modes (sticky and setgid included), sizes, link targets and mtimes as the source has them;
            // link counts differ: a hard link is imported as a second file
            assertEquals(withoutLinkCounts(original),
                    withoutLinkCounts(Shell.bash(mnt.resolve("src"), CopyTreeTest.LISTING).check().out()));
        });
    }

    /** LISTING's lines are "path type mode links mtime size target": drop the links field. */
    private static String withoutLinkCounts(String listing) {
        StringBuilder out = new StringBuilder();
        for (String line : listing.split("\n")) {
            String[] f = line.split(" ", -1);
            for (int i = 0; i < f.length; i++) {
                if (i != 3) {
                    out.append(f[i]).append(i == f.length - 1 ? "\n" : " ");
                }
            }
        }
        return out.toString();
    }
}
