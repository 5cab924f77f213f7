package io.ext3ns.stream.hls;

/**
 * A request path naming one of a title's playlists: {@code /PATH.ts/index.m3u8} (media), {@code iframes.m3u8}
 * (I-frames only) or {@code master.m3u8}. {@code titlePath} is the raw (still percent-encoded) path of the .ts file,
 * {@code titleName} its last segment as the client wrote it, which the playlists use to point back at the file
 * ({@code ../NAME}), so a title reached through a symlink or an escaped name is fetched the same way.
 */
public record PlaylistRequest(String titlePath, String titleName, Kind kind) {
    public enum Kind {
        MEDIA("index.m3u8"), IFRAMES("iframes.m3u8"), MASTER("master.m3u8");

        private final String fileName;

        Kind(String fileName) {
            this.fileName = fileName;
        }

        public String fileName() {
            return fileName;
        }
    }

    /** The playlist {@code rawPath} names, or null when it names none (then it is an ordinary file path). */
    public static PlaylistRequest parse(String rawPath) {
        for (Kind kind : Kind.values()) {
            String suffix = "/" + kind.fileName;
            if (rawPath.endsWith(suffix) && rawPath.length() > suffix.length() + 1) {
                String title = rawPath.substring(0, rawPath.length() - suffix.length());
                String name = title.substring(title.lastIndexOf('/') + 1);
                if (name.isEmpty()) {
                    return null;
                }
                return new PlaylistRequest(title, name, kind);
            }
        }
        return null;
    }

    /**
     * The URI of the title's file seen from its playlists, carrying {@code query} (the playlist request's query
     * string, verbatim) so the file's requests carry what the playlist's did.
     */
    public String mediaUri(String query) {
        return "../" + titleName + (query.isEmpty() ? "" : "?" + query);
    }
}
