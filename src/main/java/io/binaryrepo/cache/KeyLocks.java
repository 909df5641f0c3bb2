package io.binaryrepo.cache;

import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Striped read-write locks by storage key: a hit holds its key's read lock while it records the access and
 * looks the entry up; eviction holds the write lock while it re-checks the last access and deletes. So an
 * entry is either found and marked as just read (eviction then skips it for the grace period) or already
 * gone (the request fetches it again); never found and deleted before the request opens it. A fixed number
 * of stripes: bounded memory, and unrelated keys rarely contend. Thread-safe.
 */
final class KeyLocks {
    private static final int STRIPES = 256;
    private final ReadWriteLock[] locks = new ReadWriteLock[STRIPES];

    KeyLocks() {
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new ReentrantReadWriteLock();
        }
    }

    /** @throws IllegalArgumentException for an invalid key (as every storage operation does) */
    ReadWriteLock of(String key) {
        return locks[Math.floorMod(StorageKeys.check(key).hashCode() * 0x9E3779B9, STRIPES)];
    }
}
