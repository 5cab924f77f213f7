package io.ext3ns.tools;

import io.ext3ns.fs.util.MemberList;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What every volume tool takes: the member list (MEMBER,MEMBER or MEMBER MEMBER) and --help. A picocli mixin. */
final class MemberArguments {
    @Option(names = "--help", usageHelp = true, description = "show this help")
    boolean help;

    @Parameters(arity = "1..*", paramLabel = "MEMBER",
            description = "member files or devices, in array order (MEMBER,MEMBER or MEMBER MEMBER)")
    List<String> memberArgs;

    List<Path> members() {
        return MemberList.parse(memberArgs);
    }
}
