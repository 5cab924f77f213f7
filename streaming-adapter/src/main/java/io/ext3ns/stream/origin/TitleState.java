package io.ext3ns.stream.origin;

import java.nio.charset.StandardCharsets;

/**
 * What the xattr {@value #XATTR} of a title that came from an origin says: the origin object it copies and whether
 * the copy is complete. A title is marked partial before its first byte is written and complete only after its
 * last byte was synced, so a crash or an origin failure can never leave a file that looks whole: the store removes
 * partial titles when it starts (docs/edge.md).
 */
record TitleState(boolean complete, String validator) {
    static final String XATTR = "user.ext3ns.origin";
    private static final int MAX_BYTES = 1024;

    byte[] encode() {
        return ((complete ? "complete " : "partial ") + validator).getBytes(StandardCharsets.UTF_8);
    }

    /** Null when {@code raw} is not a state this store wrote (the title is then treated as loaded by hand). */
    static TitleState decode(byte[] raw) {
        if (raw == null || raw.length > MAX_BYTES) {
            return null;
        }
        String s = new String(raw, StandardCharsets.UTF_8);
        int sp = s.indexOf(' ');
        if (sp < 0) {
            return null;
        }
        String word = s.substring(0, sp);
        if (!word.equals("complete") && !word.equals("partial")) {
            return null;
        }
        return new TitleState(word.equals("complete"), s.substring(sp + 1));
    }
}
