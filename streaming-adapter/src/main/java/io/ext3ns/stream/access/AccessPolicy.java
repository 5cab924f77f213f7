package io.ext3ns.stream.access;

/**
 * Who may read what: the CORS policy of HTTP answers and, when a secret is configured, the signer every media
 * request must satisfy (null: no signature needed). {@link #OPEN}, the default, is neither.
 */
public record AccessPolicy(CorsPolicy cors, UrlSigner signer) {
    public static final AccessPolicy OPEN = new AccessPolicy(CorsPolicy.OFF, null);

    public AccessPolicy {
        if (cors == null) {
            throw new IllegalArgumentException("cors policy missing (CorsPolicy.OFF for none)");
        }
    }

    public boolean signing() {
        return signer != null;
    }

    /**
     * Whether a request for {@code path} (URL-decoded, absolute) with {@code query} (raw, or null) may proceed
     * now: always when no secret is configured.
     */
    public UrlSigner.Verdict authorize(String path, String query) {
        return signer == null ? UrlSigner.Verdict.GRANTED
                : signer.verify(path, query, System.currentTimeMillis() / 1000);
    }

    public AccessPolicy withCors(CorsPolicy policy) {
        return new AccessPolicy(policy, signer);
    }

    public AccessPolicy withSigner(UrlSigner urlSigner) {
        return new AccessPolicy(cors, urlSigner);
    }
}
