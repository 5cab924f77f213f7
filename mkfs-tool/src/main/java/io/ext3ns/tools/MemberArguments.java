package io.ext3ns.tools;

import io.ext3ns.fs.util.MemberList;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * What every volume tool takes: the member list (MEMBER,MEMBER or MEMBER MEMBER), --help and --version. A picocli
 * mixin.
 */
final class MemberArguments {
    @Option(names = "--help", usageHelp = true, description = "show this help")
    boolean help;

    @Option(names = "--version", versionHelp = true, description = "print the version and the git commit")
    boolean version;

    @Parameters(arity = "1..*", paramLabel = "MEMBER",
            description = "member files or devices, in array order (MEMBER,MEMBER or MEMBER MEMBER)")
    List<String> memberArgs;

    List<Path> members() {
        return MemberList.parse(memberArgs);
    }
}
