package io.ext3ns.stream.server;

import io.ext3ns.stream.access.UrlSecret;
import io.ext3ns.stream.access.UrlSigner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ext3ns-sign: prints a signed URL path for a server started with --url-secret (or -o url_secret=): the path
 * percent-encoded, then {@code ?exp=UNIX_TIME&sig=HMAC}. Signs with the server's own {@link UrlSigner}.
 */
@Command(name = "ext3ns-sign", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Print PATH?exp=...&sig=... : a URL path that ext3ns-serve --url-secret FILE (or a mount with "
                + "-o url_secret=FILE) serves until it expires, over HTTP and RTSP. Append it to "
                + "http://HOST:PORT or rtsp://HOST:PORT. A signature for a title also grants its HLS playlists "
                + "(PATH/index.m3u8?exp=...&sig=...); one for a folder grants everything in it.",
                "The signature is HMAC-SHA256 keyed with the secret over the bytes of PATH (not URL-encoded), '|' "
                + "and the exp digits (see docs/server.md, Access control)."})
public final class SignMain implements Callable<Integer> {
    private static final Pattern TTL = Pattern.compile("(\\d{1,9})([smhd]?)");

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PATH",
            description = "absolute path of a file or folder in the store, as a file name (not URL-encoded), "
                    + "e.g. \"/movies/My Film.ts\"")
    String path;

    @Option(names = "--secret", paramLabel = "FILE", required = true,
            description = "the file holding the server's URL secret")
    Path secret;

    @Option(names = "--ttl", paramLabel = "DURATION",
            description = "how long the URL stays valid: seconds, or a number with s, m, h or d (default "
                    + "${DEFAULT-VALUE})")
    String ttl = "1h";

    @Option(names = "--expires", paramLabel = "UNIX_TIME",
            description = "expire at this time (seconds since 1970) instead of after --ttl")
    Long expires;

    @Option(names = "--encoding", paramLabel = "ENCODING",
            description = "how to write sig: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}; base64url is "
                    + "shorter)")
    UrlSigner.Encoding encoding = UrlSigner.Encoding.HEX;

    public static void main(String[] args) {
        System.exit(CommandRunner.run("ext3ns-sign", new SignMain(), args));
    }

    @Override
    public Integer call() throws Exception {
        String storePath = normalize(path);
        long exp = expires != null ? expires : System.currentTimeMillis() / 1000 + ttlSeconds(ttl);
        if (exp < 0) {
            throw new ParameterException(spec.commandLine(), "--expires must not be negative: " + exp);
        }
        UrlSigner signer = UrlSecret.read(secret);
        spec.commandLine().getOut().println(io.ext3ns.stream.content.ContentResolver.encode(storePath) + "?" + signer.signedQuery(storePath, exp, encoding));
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** The path the server will see: absolute, no trailing '/' (a folder is granted by its name), no dot segment. */
    private String normalize(String p) {
        if (!p.startsWith("/")) {
            throw new ParameterException(spec.commandLine(), "PATH must start with '/': " + p);
        }
        String s = p;
        while (s.length() > 1 && s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        for (String segment : s.split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                throw new ParameterException(spec.commandLine(), "PATH must not have . or .. segments: " + p);
            }
        }
        if (s.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == '\\')) {
            throw new ParameterException(spec.commandLine(), "PATH must not hold control characters or '\\'");
        }
        return s;
    }

    private long ttlSeconds(String text) {
        Matcher m = TTL.matcher(text.trim());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new ParameterException(spec.commandLine(), "--ttl " + text
                    + ": not a positive duration (e.g. 90, 90s, 15m, 1h, 7d)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "m" -> n * 60;
            case "h" -> n * 3600;
            case "d" -> n * 86_400;
            default -> n;
        };
    }

}
