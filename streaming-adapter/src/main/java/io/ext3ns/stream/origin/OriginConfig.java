package io.ext3ns.stream.origin;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;

/**
 * An edge's origin settings, from {@code -o origin=URL,origin_endpoint=...} on the mount or {@code --origin URL
 * --origin-endpoint ...} on ext3ns-serve (the same keys, see {@link #KEYS}). Every field is checked here, before
 * anything is opened.
 *
 * @param url          http(s)://BASE/ or s3://BUCKET[/PREFIX]
 * @param endpoint     S3 API endpoint of a self-hosted store (path-style), or null
 * @param region       S3 region (default us-east-1)
 * @param credentials  file with aws_access_key_id= and aws_secret_access_key= lines, or null (SDK default chain)
 * @param highPercent  purge starts when the volume's used blocks pass this percentage
 * @param lowPercent   and removes origin titles until they are at or under this one
 * @param revalidate   how long a stored title is trusted before its origin object is checked again
 * @param prefix       serve a title while it fills (the default); false: a request for a missing title waits for
 *                     the whole of it (a plain pull-through cache, the benchmark's baseline)
 */
public record OriginConfig(URI url, URI endpoint, String region, Path credentials, int highPercent, int lowPercent,
                           Duration revalidate, boolean prefix) {
    /** The option keys (mount -o names; ext3ns-serve spells them --origin-endpoint etc.). */
    public static final java.util.Set<String> KEYS = java.util.Set.of("origin", "origin_endpoint", "origin_region",
            "origin_credentials", "origin_high", "origin_low", "origin_revalidate", "origin_prefix");
    public static final int DEFAULT_HIGH = 90;
    public static final int DEFAULT_LOW = 80;
    public static final int DEFAULT_REVALIDATE_SECONDS = 60;

    public OriginConfig {
        if (url == null) {
            throw new IllegalArgumentException("no origin URL");
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") && !scheme.equals("s3")) {
            throw new IllegalArgumentException("origin must be http://, https:// or s3://BUCKET/PREFIX: " + url);
        }
        if (scheme.equals("s3") && (url.getHost() == null || url.getHost().isEmpty())) {
            throw new IllegalArgumentException("s3 origin without a bucket: " + url);
        }
        if (!scheme.equals("s3") && endpoint != null) {
            throw new IllegalArgumentException("origin_endpoint is for s3:// origins only");
        }
        if (highPercent < 1 || highPercent > 100 || lowPercent < 0 || lowPercent >= highPercent) {
            throw new IllegalArgumentException("origin water marks must be 0 <= low < high <= 100 (percent): low "
                    + lowPercent + ", high " + highPercent);
        }
        if (revalidate.isNegative()) {
            throw new IllegalArgumentException("negative origin_revalidate");
        }
    }

    /** From mount-style options ({@code origin} required; the others optional). */
    public static OriginConfig fromOptions(Map<String, String> options) {
        String url = options.get("origin");
        if (url == null || url.isEmpty()) {
            throw new IllegalArgumentException("origin= needs a URL");
        }
        String endpoint = options.get("origin_endpoint");
        String credentials = options.get("origin_credentials");
        return new OriginConfig(uri("origin", url), endpoint == null ? null : uri("origin_endpoint", endpoint),
                options.getOrDefault("origin_region", "us-east-1"),
                credentials == null ? null : Path.of(credentials),
                percent(options, "origin_high", DEFAULT_HIGH), percent(options, "origin_low", DEFAULT_LOW),
                Duration.ofSeconds(number(options, "origin_revalidate", DEFAULT_REVALIDATE_SECONDS, 86_400 * 365)),
                onOff(options.getOrDefault("origin_prefix", "on")));
    }

    private static boolean onOff(String v) {
        return switch (v) {
            case "on", "yes", "1" -> true;
            case "off", "no", "0" -> false;
            default -> throw new IllegalArgumentException("origin_prefix must be on or off: " + v);
        };
    }

    private static URI uri(String key, String value) {
        try {
            return new URI(value);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(key + " is not a URL: " + value);
        }
    }

    private static int percent(Map<String, String> options, String key, int dflt) {
        return (int) number(options, key, dflt, 100);
    }

    private static long number(Map<String, String> options, String key, long dflt, long max) {
        String v = options.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n < 0 || n > max) {
                throw new IllegalArgumentException(key + " must be 0.." + max + ": " + v);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " is not a number: " + v);
        }
    }

    /** Opens the origin this names (no request is sent yet). */
    public Origin open() throws IOException {
        if (!url.getScheme().equalsIgnoreCase("s3")) {
            return new HttpOrigin(url);
        }
        String prefix = url.getPath() == null ? "" : url.getPath().replaceFirst("^/+", "");
        return new S3Origin(url.getHost(), prefix, endpoint, region, credentials == null ? null
                : readCredentials(credentials));
    }

    /** An AWS credentials file's two keys (its [section] lines and comments are skipped). */
    static AwsBasicCredentials readCredentials(Path file) throws IOException {
        String id = null;
        String secret = null;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (line.isBlank() || line.startsWith("#") || line.startsWith("[") || eq < 0) {
                continue;
            }
            String k = line.substring(0, eq).trim();
            String v = line.substring(eq + 1).trim();
            if (k.equals("aws_access_key_id")) {
                id = v;
            } else if (k.equals("aws_secret_access_key")) {
                secret = v;
            }
        }
        if (id == null || id.isEmpty() || secret == null || secret.isEmpty()) {
            throw new IOException(file + " needs aws_access_key_id= and aws_secret_access_key= lines");
        }
        return AwsBasicCredentials.create(id, secret);
    }
}
