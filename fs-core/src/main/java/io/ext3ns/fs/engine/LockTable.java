package io.ext3ns.fs.engine;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One read-write lock per inode, created on demand and dropped when nobody holds or waits for it (a per-inode lock,
 * not a striped one: two different inodes never share a lock, so lock order by the directory tree cannot deadlock).
 */
final class LockTable {
    private static final class Entry {
        final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        int users;
    }

    private final ConcurrentHashMap<Long, Entry> locks = new ConcurrentHashMap<>();

    /** A held lock; close() releases it (use in try-with-resources). */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }

    Held read(long ino) {
        Entry e = acquire(ino);
        e.lock.readLock().lock();
        return () -> {
            e.lock.readLock().unlock();
            release(ino);
        };
    }

    Held write(long ino) {
        Entry e = acquire(ino);
        e.lock.writeLock().lock();
        return () -> {
            e.lock.writeLock().unlock();
            release(ino);
        };
    }

    private Entry acquire(long ino) {
        return locks.compute(ino, (k, e) -> {
            Entry x = e == null ? new Entry() : e;
            x.users++;
            return x;
        });
    }

    private void release(long ino) {
        locks.computeIfPresent(ino, (k, e) -> --e.users == 0 ? null : e);
    }
}
