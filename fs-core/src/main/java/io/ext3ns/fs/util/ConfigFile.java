package io.ext3ns.fs.util;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * /etc/ext3ns/ext3ns.conf (or $EXT3NS_CONF): a Java properties file of {@code SECTION.NAME = VALUE} lines, where
 * SECTION is a command ("serve" for ext3ns-serve, "mount" for mount.ext3ns) and NAME any of that command's options
 * by name (ext3ns-serve's long options without the dashes, mount.ext3ns's -o options). Command-line flags override
 * it. A missing file is no configuration; a file holding a secret (a name with the word secret, password, token or key
 * in it, e.g. serve.auth-token)
 * must not be readable by others.
 */
public final class ConfigFile {
    public static final String ENV = "EXT3NS_CONF";
    public static final Path DEFAULT_PATH = Path.of("/etc/ext3ns/ext3ns.conf");
    private static final Set<String> SECRET_WORDS = Set.of("secret", "password", "token", "key");

    private final Path path;
    private final Map<String, String> entries;

    private ConfigFile(Path path, Map<String, String> entries) {
        this.path = path;
        this.entries = entries;
    }

    /** The file $EXT3NS_CONF names, else /etc/ext3ns/ext3ns.conf. */
    public static ConfigFile load() throws IOException {
        String env = System.getenv(ENV);
        return load(env != null && !env.isBlank() ? Path.of(env) : DEFAULT_PATH);
    }

    public static ConfigFile load(Path path) throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (NoSuchFileException e) {
            return new ConfigFile(path, Map.of());
        } catch (IllegalArgumentException e) { // a malformed \\uXXXX escape
            throw new IOException(path + ": " + e.getMessage(), e);
        }
        Map<String, String> entries = new TreeMap<>();
        for (String name : p.stringPropertyNames()) {
            int dot = name.indexOf('.');
            if (dot <= 0 || dot == name.length() - 1) {
                throw new IOException(path + ": \"" + name + "\" is not SECTION.NAME (e.g. serve.rtsp, mount.cache)");
            }
            entries.put(name, p.getProperty(name).strip());
        }
        ConfigFile config = new ConfigFile(path, entries);
        config.requirePrivateIfSecret();
        return config;
    }

    public Path path() {
        return path;
    }

    /** The entries of one section, names without the "SECTION." prefix, in name order. */
    public Map<String, String> section(String section) {
        Map<String, String> out = new TreeMap<>();
        String prefix = section + ".";
        entries.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    private void requirePrivateIfSecret() throws IOException {
        String secret = entries.keySet().stream().filter(ConfigFile::isSecret).findFirst().orElse(null);
        if (secret == null) {
            return;
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(path);
        if (perms.contains(PosixFilePermission.OTHERS_READ)) {
            throw new IOException(path + " holds " + secret + " but others may read it: chmod o-r " + path);
        }
    }

    private static boolean isSecret(String name) {
        for (String word : name.toLowerCase(Locale.ROOT).split("[._-]")) {
            if (SECRET_WORDS.contains(word)) {
                return true;
            }
        }
        return false;
    }
}
