package io.ext3ns.dist.manual;

import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * A picocli command's manual page in roff (man(7) macros): NAME, SYNOPSIS, DESCRIPTION, ARGUMENTS, OPTIONS, the
 * help footer as NOTES, VERSION, SEE ALSO. picocli-codegen's generator writes AsciiDoc, which would need asciidoctor
 * (a JRuby runtime) at build time to become a page man(1) reads; this writes the page itself from the same model.
 */
public final class ManPage {
    /** Section 8: system administration commands, as mkfs(8), fsck(8), mount(8). */
    public static final String SECTION = "8";

    private ManPage() {
    }

    public static String render(CommandLine command, List<String> seeAlso) {
        CommandSpec spec = command.getCommandSpec();
        String name = spec.name();
        StringBuilder out = new StringBuilder();
        String version = spec.version().length > 0 ? spec.version()[0] : name;
        out.append(".TH \"").append(upper(name)).append("\" \"").append(SECTION).append("\" \"\" \"")
                .append(escape(version)).append("\" \"EXT3NS Manual\"\n");
        out.append(".nh\n.ad l\n"); // no hyphenation, ragged right: option and command names stay whole
        String[] description = spec.usageMessage().description();
        out.append(".SH NAME\n").append(escape(name)).append(" \\- ")
                .append(escape(description.length > 0 ? firstSentence(description[0]) : name)).append('\n');

        out.append(".SH SYNOPSIS\n.nf\n");
        Help help = new Help(spec, Help.defaultColorScheme(Help.Ansi.OFF));
        out.append(escapeLines(help.synopsis(0).stripTrailing())).append("\n.fi\n");

        out.append(".SH DESCRIPTION\n");
        paragraphs(out, description);

        List<PositionalParamSpec> positionals = spec.positionalParameters().stream().filter(p -> !p.hidden()).toList();
        if (!positionals.isEmpty()) {
            out.append(".SH ARGUMENTS\n");
            for (PositionalParamSpec p : positionals) {
                out.append(".TP\n\\fI").append(escape(p.paramLabel())).append("\\fR\n");
                describe(out, p);
            }
        }
        List<OptionSpec> options = spec.options().stream().filter(o -> !o.hidden()).toList();
        if (!options.isEmpty()) {
            out.append(".SH OPTIONS\n");
            for (OptionSpec o : options) {
                out.append(".TP\n").append(optionNames(o)).append('\n');
                describe(out, o);
            }
        }
        String[] footer = spec.usageMessage().footer();
        if (footer.length > 0 && String.join("", footer).strip().length() > 0) {
            out.append(".SH NOTES\n");
            paragraphs(out, footer);
        }
        out.append(".SH VERSION\n").append(escape(version)).append('\n');
        List<String> others = seeAlso.stream().filter(s -> !s.equals(name)).toList();
        if (!others.isEmpty()) {
            out.append(".SH SEE ALSO\n").append(others.stream().map(s -> "\\fB" + escape(s) + "\\fR(" + SECTION + ")")
                    .collect(Collectors.joining(",\n"))).append('\n');
        }
        return out.toString();
    }

    private static String optionNames(OptionSpec o) {
        String label = o.typedValues() != null && o.arity().max() > 0 ? "=\\fI" + escape(o.paramLabel()) + "\\fR" : "";
        return java.util.Arrays.stream(o.names()).map(n -> "\\fB" + escape(n) + "\\fR" + label)
                .collect(Collectors.joining(", "));
    }

    private static void describe(StringBuilder out, ArgSpec arg) {
        // description() renders ${DEFAULT-VALUE} and ${COMPLETION-CANDIDATES} as --help does
        out.append(escape(String.join(" ", arg.description()).strip())).append('\n');
    }

    /** picocli's description lines: an empty line separates paragraphs, others are one paragraph each. */
    private static void paragraphs(StringBuilder out, String[] lines) {
        boolean first = true;
        for (String line : lines) {
            String text = line.strip();
            if (text.isEmpty()) {
                continue;
            }
            if (!first) {
                out.append(".PP\n");
            }
            out.append(escape(text)).append('\n');
            first = false;
        }
    }

    /** NAME's one line: the first sentence without its asides in parentheses ("(ext3 layout, 1K..2M blocks)"). */
    private static String firstSentence(String text) {
        String t = text.strip().replaceAll("\\s*\\([^)]*\\s[^)]*\\)", "");
        int dot = t.indexOf(". ");
        return dot > 0 ? t.substring(0, dot) : t.replaceAll("\\.$", "");
    }

    private static String upper(String name) {
        return escape(name.toUpperCase(java.util.Locale.ROOT));
    }

    private static String escapeLines(String text) {
        return text.lines().map(ManPage::escape).collect(Collectors.joining("\n"));
    }

    /** roff text: backslashes and hyphens escaped; a line starting with '.' or '\'' would be read as a request. */
    static String escape(String text) {
        String s = text.replace("\\", "\\e").replace("-", "\\-");
        return s.startsWith(".") || s.startsWith("'") ? "\\&" + s : s;
    }
}
