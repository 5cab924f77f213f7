package io.ext3ns.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ext3ns.fuse.mount.MountOptions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** ext3ns.conf's mount.* entries come before the command line's -o, so the command line wins. */
class ConfiguredOptionsTest {
    @Test
    void fileEntriesBecomeALeadingGroupAndFlagsFollowTrueAndFalse() {
        Map<String, String> section = new TreeMap<>(Map.of("cache", "2G", "allow_other", "true",
                "kernel_cache", "false", "http", "8080"));
        assertEquals(List.of("allow_other,cache=2G,http=8080", "ro"),
                ConfiguredOptions.withConfig(section, List.of("ro")));
        assertEquals(List.of("x"), ConfiguredOptions.withConfig(Map.of(), List.of("x")));
    }

    @Test
    void theCommandLineOverridesTheFile() {
        MountOptions parsed = MountOptions.parse(ConfiguredOptions.withConfig(
                new TreeMap<>(Map.of("cache", "2G", "http", "8080")), List.of("cache=64M,http=9090")));
        assertEquals(64L << 20, parsed.cacheBytes());
        assertEquals("9090", parsed.services().get("http"));
        MountOptions fromFile = MountOptions.parse(ConfiguredOptions.withConfig(
                new TreeMap<>(Map.of("cache", "2G")), List.of()));
        assertEquals(2L << 30, fromFile.cacheBytes());
    }
}
