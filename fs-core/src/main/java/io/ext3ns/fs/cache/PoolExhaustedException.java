package io.ext3ns.fs.cache;

/** Every unit of the pool is leased; the caller should retry later (and the pool may be too small). */
public final class PoolExhaustedException extends RuntimeException {
    public PoolExhaustedException(String message) {
        super(message);
    }
}
