package io.ext3ns.fuse.mount;

import io.ext3ns.fs.engine.AtimePolicy;
import io.ext3ns.fuse.ops.FuseBackend;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MountOptionsTest {
    @Test
    void oursArePulledOutFuseOnesPassedAndFstabBookkeepingDropped() {
        MountOptions o = MountOptions.parse(List.of("rw,noauto,_netdev,x-systemd.automount,allow_other",
                "cache=256M,metacache=1g,readahead=4096,logfile=/var/log/m.log,rtsp=8554,http=8080,attr_timeout=1"));
        assertFalse(o.readOnly());
        assertEquals(256L << 20, o.cacheBytes());
        assertEquals(1L << 30, o.metaCacheBytes());
        assertEquals(4096, o.readAheadKb());
        assertEquals(Path.of("/var/log/m.log"), o.logFile());
        assertEquals(Map.of("rtsp", "8554", "http", "8080"), o.services());
        assertEquals(List.of("allow_other", "attr_timeout=1"), o.fuseOptions());
    }

    /** relatime by default as the kernel mounts ext3; the last atime option wins; noatime also reaches FUSE. */
    @Test
    void atimeOptionsSetTheEnginesPolicy() {
        assertEquals(AtimePolicy.RELATIME, MountOptions.parse(List.of("rw")).atime());
        assertEquals(AtimePolicy.STRICTATIME, MountOptions.parse(List.of("strictatime")).atime());
        assertEquals(AtimePolicy.STRICTATIME, MountOptions.parse(List.of("norelatime")).atime());
        assertEquals(AtimePolicy.NOATIME, MountOptions.parse(List.of("strictatime,noatime")).atime());
        assertEquals(AtimePolicy.RELATIME, MountOptions.parse(List.of("noatime", "relatime")).atime());
        assertEquals(AtimePolicy.RELATIME, MountOptions.parse(List.of("noatime,atime")).atime());
        assertEquals(List.of("noatime"), MountOptions.parse(List.of("noatime,strictatime")).fuseOptions());
        assertEquals(AtimePolicy.STRICTATIME, MountOptions.parse(List.of("noatime,strictatime")).atime());
        assertThrows(IllegalArgumentException.class, () -> MountOptions.parse(List.of("relatime=1")));
    }

    @Test
    void theStreamingServersSettingsArePassedOnForItToCheck() {
        MountOptions o = MountOptions.parse(
                List.of("rtsp=8554,bind=127.0.0.1,header_timeout=10,max_conn_per_client=32"));
        assertEquals(Map.of("rtsp", "8554", "bind", "127.0.0.1", "header_timeout", "10", "max_conn_per_client", "32"),
                o.services());
    }

    @Test
    void accessOptionsArePassedOnWithTheSecretFileMadeAbsolute() {
        // the mount process serves from "/" once mounted: a relative secret file must be resolved at parse time
        MountOptions o = MountOptions.parse(List.of("http=8080,cors_origin=https://a.example,url_secret=conf/url.secret"));
        assertEquals(Map.of("http", "8080", "cors_origin", "https://a.example", "url_secret",
                Path.of("conf/url.secret").toAbsolutePath().toString()), o.services());
        assertThrows(IllegalArgumentException.class, () -> MountOptions.parse(List.of("url_secret=")));
    }

    @Test
    void theLastOfRoAndRwWins() {
        assertTrue(MountOptions.parse(List.of("rw,ro")).readOnly());
        assertFalse(MountOptions.parse(List.of("ro", "rw")).readOnly());
    }

    @Test
    void theLoopIsSingleThreadedUnlessAsked() {
        assertFalse(MountOptions.parse(List.of("rw")).multiThreaded());
        assertTrue(MountOptions.parse(List.of("rw,multithread")).multiThreaded());
        assertFalse(MountOptions.parse(List.of("multithread")).fuseOptions().contains("multithread"));
        assertThrows(IllegalArgumentException.class, () -> MountOptions.parse(List.of("multithread=4")));
    }

    @Test
    void readAheadTakesKibOrAUnit() {
        assertEquals(2048, MountOptions.parse(List.of("readahead=2M")).readAheadKb());
        assertEquals(MountOptions.DEFAULT_COMMIT_SECONDS, MountOptions.parse(List.of("rw")).commitSeconds());
        assertEquals(30, MountOptions.parse(List.of("commit=30")).commitSeconds());
        assertEquals(MountOptions.DEFAULT_COMMIT_SECONDS, MountOptions.parse(List.of("commit=0")).commitSeconds());
        assertThrows(IllegalArgumentException.class, () -> MountOptions.parse(List.of("commit=soon")));
        assertEquals(512, MountOptions.parse(List.of("readahead=512")).readAheadKb());
    }

    @Test
    void badOptionsAreRefusedByName() {
        for (String bad : List.of("cache=lots", "cache=", "rtsp=0", "http=70000", "readahead=0", "frobnicate",
                "allow_other=1", "attr_timeout=")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> MountOptions.parse(List.of(bad)), bad);
            assertTrue(e.getMessage().contains(bad.contains("=") ? bad.substring(0, bad.indexOf('=')) : bad),
                    e.getMessage());
        }
    }

    @Test
    void everyMountGetsInodeNumbersUncachedAttributesAndTheKernelsPermissionChecks() {
        List<String> fuse = MountSession.fuseOptions(MountOptions.parse(List.of("allow_other")), true);
        assertEquals(List.of("use_ino", "attr_timeout=0", "ro", "default_permissions", FuseBackend.POSIX_ACL,
                "allow_other"), fuse);
    }

    /** ext3's acl and user_xattr: on unless turned off; noacl leaves the kernel checking mode bits only. */
    @Test
    void aclAndUserXattrAreOnByDefaultAsExt3MountsThem() {
        assertEquals(MountOptions.Xattrs.DEFAULT, MountOptions.parse(List.of()).xattrs());
        MountOptions off = MountOptions.parse(List.of("noacl,nouser_xattr"));
        assertEquals(new MountOptions.Xattrs(false, false), off.xattrs());
        assertFalse(MountSession.fuseOptions(off, false).contains(FuseBackend.POSIX_ACL));
        assertTrue(MountSession.fuseOptions(off, false).contains("default_permissions"));
    }

    @Test
    void transportsByName() {
        assertEquals(3, MountOptions.parse(List.of("transport=libfuse3")).libfuse());
        assertEquals(2, MountOptions.parse(List.of("transport=libfuse2")).libfuse());
        assertEquals(MountOptions.TRANSPORT_KERNEL, MountOptions.parse(List.of("transport=kernel")).libfuse());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MountOptions.parse(List.of("transport=uring")));
        assertTrue(e.getMessage().contains("libfuse3, libfuse2 or kernel"), e.getMessage());
    }
}
