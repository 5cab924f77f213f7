package io.ext3ns.stream.content;

import io.ext3ns.stream.net.Request;
import io.ext3ns.stream.testing.TestStore;
import io.ext3ns.fs.util.FileNames;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Request paths resolve inside the store only, on a real store with symlinks in and out of the tree. */
class ContentResolverTest {
    @TempDir
    static Path dir;
    private static TestStore store;
    private static ContentResolver resolver;

    @BeforeAll
    static void store() throws Exception {
        store = TestStore.create(dir, 16L << 20);
        store.addFile("/a.ts", new byte[188]);
        store.addFile("/movies/b.ts", new byte[376]);
        store.addSymlink("/movies/to-a.ts", "../a.ts");
        store.addSymlink("/movies/dir", "../movies");
        store.addSymlink("/abs.ts", "/etc/passwd");
        store.addSymlink("/movies/up.ts", "../../x");
        store.addSymlink("/loop1", "loop2");
        store.addSymlink("/loop2", "loop1");
        // names are bytes: Latin-1 "café" (not UTF-8) and UTF-8 "café" are two files, as in the kernel's ext3
        store.addFile(FileNames.decode(new byte[] {'/', 'c', 'a', 'f', (byte) 0xE9, '.', 't', 's'}), new byte[564]);
        store.addFile("/caf\u00e9.ts", new byte[752]);
        resolver = new ContentResolver(store.fs());
    }

    @AfterAll
    static void close() throws Exception {
        store.close();
    }

    @ParameterizedTest
    @CsvSource({"/a.ts,/a.ts,188", "//a.ts,/a.ts,188", "/movies/b.ts,/movies/b.ts,376", "/movies/to-a.ts,/a.ts,188",
            "/movies/dir/b.ts,/movies/b.ts,376", "/%6D%6Fvies/b.ts,/movies/b.ts,376"})
    void resolvesInsideTheStoreToASymlinkFreePath(String request, String canonical, long size) throws Exception {
        ContentFile f = resolver.resolve(request);
        assertEquals(canonical, f.path());
        assertEquals(size, f.size());
    }

    @ParameterizedTest
    @CsvSource({"/caf%E9.ts,564", "/caf%C3%A9.ts,752"})
    void namesThatAreNotUtf8AreServedByTheirBytes(String request, long size) throws Exception {
        ContentFile f = resolver.resolve(request);
        assertEquals(size, f.size());
        assertEquals(request, ContentResolver.encode(f.path()), "the link handed out names the same bytes");
    }

    @ParameterizedTest
    @CsvSource({"/../etc/passwd,400", "/movies/%2e%2e/a.ts,400", "/%2E%2E/%2e%2e/etc/passwd,400", "/a.ts%00,400",
            "/a%zz.ts,400", "/movies\\..\\a.ts,400", "/./a.ts,400", "/abs.ts,403", "/movies/up.ts,403",
            "/missing.ts,404", "/movies,404", "/,404", "/a.ts/x,404", "/loop1,404"})
    void refusesWhatLeavesTheStoreOrIsNotAFile(String request, int status) {
        assertEquals(status, assertThrows(ContentException.class, () -> resolver.resolve(request)).status());
    }
}
