package io.ext3ns.fs.check;

/**
 * How to check: {@code fix} repairs what is safely fixable (fsck -y; otherwise nothing is written, as -n);
 * {@code force} checks even a volume marked clean (-f).
 */
public record CheckOptions(boolean fix, boolean force) {
    public static final CheckOptions READ_ONLY_FORCED = new CheckOptions(false, true);
    public static final CheckOptions FIX_FORCED = new CheckOptions(true, true);
}
