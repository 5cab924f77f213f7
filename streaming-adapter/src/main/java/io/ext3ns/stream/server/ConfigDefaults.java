package io.ext3ns.stream.server;

import io.ext3ns.fs.util.ConfigFile;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Defaults from ext3ns.conf's section for a command: {@code serve.pool-mb = 2048} is --pool-mb's value unless the
 * command line gives one. Any long option works by its name, so options added later need no change here;
 * positional parameters are "members" (comma-separated, as on the command line).
 */
final class ConfigDefaults implements IDefaultValueProvider {
    private final Map<String, String> section;

    ConfigDefaults(ConfigFile config, String section) {
        this.section = config.section(section);
    }

    /** The section a command reads: its name without the "ext3ns-" prefix (ext3ns-serve: "serve"). */
    static String sectionOf(String commandName) {
        return commandName.startsWith("ext3ns-") ? commandName.substring("ext3ns-".length()) : commandName;
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (arg instanceof OptionSpec option) {
            return section.get(option.longestName().replaceFirst("^-+", ""));
        }
        if (arg instanceof PositionalParamSpec) {
            return section.get("members");
        }
        return null;
    }
}
