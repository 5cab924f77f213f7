package io.ext3ns.fs.util;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The project version and git commit this build was made from, for every command's --version. The build writes
 * build.properties next to this class (fs-core's pom: git rev-parse at generate-resources; "unknown" without git).
 */
public final class BuildInfo {
    private static final String UNKNOWN = "unknown";
    private static final Properties PROPS = load();

    private BuildInfo() {
    }

    public static String version() {
        return PROPS.getProperty("version", UNKNOWN);
    }

    /** The abbreviated commit, "-dirty" appended when the work tree had uncommitted changes; or "unknown". */
    public static String commit() {
        return PROPS.getProperty("commit", UNKNOWN);
    }

    /** What {@code COMMAND --version} prints: "mkfs.ext3ns (EXT3NS) 0.1.0-SNAPSHOT, commit 0123abcd4567". */
    public static String versionLine(String command) {
        return command + " (EXT3NS) " + version() + ", commit " + commit();
    }

    /** For the bash launchers' --version: {@code ext3ns-launch fs-core io.ext3ns.fs.util.BuildInfo COMMAND}. */
    public static void main(String[] args) {
        System.out.println(versionLine(args.length > 0 ? args[0] : "ext3ns"));
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
            if (in != null) { // absent only in a build that skipped generate-resources: report "unknown"
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read build.properties from the class path", e);
        }
        return p;
    }
}
