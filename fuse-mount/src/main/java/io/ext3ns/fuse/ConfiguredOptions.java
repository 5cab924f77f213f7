package io.ext3ns.fuse;

import io.ext3ns.fs.util.ConfigFile;
import io.ext3ns.fuse.mount.MountFailure;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * mount.ext3ns's -o options with ext3ns.conf's "mount." section in front: {@code mount.cache = 4G} is -o cache=4G,
 * {@code mount.allow_other = true} is -o allow_other (false: left out). Later options win, so -o on the command line
 * (or in fstab) overrides the file; any -o option works by its name.
 */
final class ConfiguredOptions {
    static final String SECTION = "mount";

    private ConfiguredOptions() {
    }

    static List<String> withConfig(List<String> commandLine) throws MountFailure {
        try {
            return withConfig(ConfigFile.load().section(SECTION), commandLine);
        } catch (IOException e) {
            throw new MountFailure(MountFailure.USAGE, "configuration: " + e.getMessage());
        }
    }

    static List<String> withConfig(Map<String, String> section, List<String> commandLine) {
        List<String> fromFile = new ArrayList<>();
        section.forEach((name, value) -> {
            if (value.equalsIgnoreCase("true") || value.isEmpty()) {
                fromFile.add(name);
            } else if (!value.equalsIgnoreCase("false")) {
                fromFile.add(name + "=" + value);
            }
        });
        List<String> all = new ArrayList<>();
        if (!fromFile.isEmpty()) {
            all.add(String.join(",", fromFile));
        }
        all.addAll(commandLine);
        return all;
    }
}
