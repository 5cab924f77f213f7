package io.ext3ns.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ext3ns.fs.api.Attr;
import io.ext3ns.fs.api.DirEntry;
import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.engine.EngineOptions;
import io.ext3ns.fs.engine.Ext3FileSystem;
import io.ext3ns.fs.testing.ExternalTool;
import io.ext3ns.fs.testing.TestImages;
import io.ext3ns.fs.util.FileNames;
import io.ext3ns.sda.FileMember;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ext3ns-import copies the host's names as bytes, whatever the JVM's file name encoding (UTF-8 here, which would
 * turn $'caf\xe9' into "caf\uFFFD"): offline into a volume and into a directory, names, contents and symlink targets.
 */
class ImportByteNamesTest {
    /** Makes the tree (argument "make DIR") or lists one ("list DIR"): hex of each path, kind, content or target. */
    private static final String PYTHON = """
            import os, sys
            top = sys.argv[2].encode()
            if sys.argv[1] == 'make':
                os.makedirs(top + b'/d\\xe9j\\xe0')
                for n in (b'caf\\xe9', 'caf\\u00e9'.encode(), b'd\\xe9j\\xe0/\\xff\\xfe.\\xc3x\\x80'):
                    with open(top + b'/' + n, 'wb') as f:
                        f.write(n)
                os.symlink(b'caf\\xe9', top + b'/lnk\\xe9')
                os.symlink(b'/abs/\\xe9t\\xe9', top + b'/d\\xe9j\\xe0/abs\\xe9')
                sys.exit(0)
            for dirpath, dirs, files in os.walk(top):
                for n in dirs + files:
                    p = os.path.join(dirpath, n)
                    rel = os.path.relpath(p, top).hex()
                    if os.path.islink(p):
                        print(rel, 'link', os.readlink(p).hex())
                    elif os.path.isdir(p):
                        print(rel, 'dir')
                    else:
                        with open(p, 'rb') as f:
                            print(rel, 'file', f.read().hex())
            """;

    @TempDir
    Path dir;

    @Test
    void hostNamesThatAreNotUtf8ArriveByteForByte() throws Exception {
        Path script = Files.writeString(dir.resolve("tree.py"), PYTHON);
        Path src = dir.resolve("src");
        python(script, "make", src);
        List<String> expected = python(script, "list", src);
        assertEquals(6, expected.size(), String.join("\n", expected));

        Path into = Files.createDirectories(dir.resolve("into"));
        assertEquals(0, ToolRunner.run(new ImportMain(), new String[] {"-q", src.toString(), into.toString()}, 2, 1));
        assertEquals(expected, python(script, "list", into.resolve("src")));

        Path img = dir.resolve("v.img");
        TestImages.format(img, 32L << 20, 4096);
        assertEquals(0, ToolProcess.run(ImportMain.class, "-q", src.toString(), img + ":/").exitCode());
        try (Ext3FileSystem fs = Ext3FileSystem.open(new FileMember(img, true), EngineOptions.readOnlyDefaults())) {
            List<String> got = new ArrayList<>();
            list(fs, fs.resolve("/src"), "", got);
            assertEquals(sorted(expected), sorted(got));
        }
        ExternalTool.Result fsck = ToolProcess.run(FsckMain.class, "-f", "-n", img.toString());
        assertEquals(0, fsck.exitCode(), fsck.toString());
    }

    /** The volume's tree in the python lister's form. */
    private static void list(FileSystem fs, long dirIno, String rel, List<String> out) throws IOException {
        for (DirEntry e : fs.readdir(dirIno)) {
            if (e.name().equals(".") || e.name().equals("..")) {
                continue;
            }
            String path = rel.isEmpty() ? e.name() : rel + "/" + e.name();
            String hex = HexFormat.of().formatHex(FileNames.encode(path));
            Attr a = fs.getattr(e.ino());
            if (a.isSymlink()) {
                out.add(hex + " link " + HexFormat.of().formatHex(FileNames.encode(fs.readlink(e.ino()))));
            } else if (a.isDirectory()) {
                out.add(hex + " dir");
                list(fs, e.ino(), path, out);
            } else {
                ByteBuffer b = ByteBuffer.allocate((int) a.size());
                FileHandle h = fs.open(e.ino(), false);
                try {
                    while (b.hasRemaining() && fs.read(h, b.position(), b) > 0) {
                        // read on until full
                    }
                } finally {
                    fs.release(h);
                }
                out.add(hex + " file " + HexFormat.of().formatHex(b.array()));
            }
        }
    }

    private static List<String> sorted(List<String> lines) {
        return lines.stream().sorted().toList();
    }

    private static List<String> python(Path script, String what, Path top) throws Exception {
        ExternalTool.Result r = ExternalTool.run(List.of("python3", script.toString(), what, top.toString()), 60);
        assertEquals(0, r.exitCode(), r.toString());
        return sorted(r.output().lines().toList());
    }
}
