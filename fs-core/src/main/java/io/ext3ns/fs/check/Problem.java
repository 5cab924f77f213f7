package io.ext3ns.fs.check;

/**
 * One finding of the checker. {@code pass} is e2fsck's pass number (0 = superblock and descriptors). A NOTE is
 * reported but does not make the volume unclean — e2fsck's "no is OK" problems, such as stale superblock free counts,
 * which the kernel itself leaves behind. A problem with a {@link Repair} is fixed by {@code fsck -y}.
 */
public record Problem(int pass, Severity severity, String message, Repair repair) {
    public enum Severity { ERROR, NOTE }

    /** A change that makes the problem go away, applied through {@link Repairs}. */
    @FunctionalInterface
    public interface Repair {
        void apply(Repairs repairs) throws java.io.IOException;
    }

    public static Problem error(int pass, String message) {
        return new Problem(pass, Severity.ERROR, message, null);
    }

    public static Problem error(int pass, String message, Repair repair) {
        return new Problem(pass, Severity.ERROR, message, repair);
    }

    public static Problem note(int pass, String message, Repair repair) {
        return new Problem(pass, Severity.NOTE, message, repair);
    }

    public boolean fixable() {
        return repair != null;
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }
}
