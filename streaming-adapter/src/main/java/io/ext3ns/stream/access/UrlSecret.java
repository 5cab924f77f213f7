package io.ext3ns.stream.access;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;

/**
 * The URL-signing secret, read from a file (never from the command line, where ps shows it): the file's bytes
 * with trailing line ends (LF, CR) removed, so {@code echo "$secret" > FILE} and {@code $(cat FILE)} in a shell
 * mean the same key. At least {@value #MIN_BYTES} bytes (a short key can be guessed offline from any one signed
 * URL), and, like ext3ns.conf when it holds a secret, not readable by others.
 */
public final class UrlSecret {
    /** Fewest key bytes accepted; {@link #recipe} makes a good secret. */
    public static final int MIN_BYTES = 16;
    /** Larger files are not secrets (a wrong path): refuse rather than read a movie into memory. */
    private static final long MAX_FILE_BYTES = 4096;

    private UrlSecret() {
    }

    /** The signer keyed with the secret in {@code file}; an IOException says exactly what is wrong with it. */
    public static UrlSigner read(Path file) throws IOException {
        byte[] bytes;
        try {
            if (!Files.exists(file)) {
                throw new NoSuchFileException(file.toString());
            }
            if (!Files.isRegularFile(file)) {
                throw new IOException("URL secret " + file + ": not a regular file");
            }
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new IOException("URL secret " + file + ": larger than " + MAX_FILE_BYTES
                        + " bytes, not a secret");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IOException("URL secret " + file + ": no such file", e);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IOException("URL secret " + file + ": permission denied", e);
        }
        int end = bytes.length;
        while (end > 0 && (bytes[end - 1] == '\n' || bytes[end - 1] == '\r')) {
            end--;
        }
        if (end == 0) {
            throw new IOException("URL secret " + file + ": empty (make one: " + recipe(file) + ")");
        }
        if (end < MIN_BYTES) {
            throw new IOException("URL secret " + file + ": " + end + " bytes, at least " + MIN_BYTES
                    + " needed (" + recipe(file) + ")");
        }
        PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (posix != null && posix.readAttributes().permissions().contains(PosixFilePermission.OTHERS_READ)) {
            throw new IOException("URL secret " + file + ": others may read it: chmod o-r " + file);
        }
        byte[] key = Arrays.copyOf(bytes, end);
        Arrays.fill(bytes, (byte) 0);
        try {
            return new UrlSigner(key);
        } finally {
            Arrays.fill(key, (byte) 0); // the key spec holds its own copy
        }
    }

    /** The shell line that makes a good secret file: 32 random bytes in base64, readable by its owner only. */
    static String recipe(Path file) {
        return "(umask 077; head -c 32 /dev/urandom | base64 > " + file + ")";
    }
}
