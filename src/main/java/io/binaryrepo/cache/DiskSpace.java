package io.binaryrepo.cache;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the cache has room for another download. When the disk fills up, requests are passed through
 * from upstream uncached instead of failing; the condition is logged once when it starts and once when
 * it ends, not per request. Thread-safe.
 */
final class DiskSpace {
    private static final Logger LOG = LoggerFactory.getLogger(DiskSpace.class);
    /** Free space kept in reserve so metadata writes and the rest of the system still work. */
    static final long RESERVE = 32L * 1024 * 1024;
    /** While full, free space is looked at again at most this often. */
    private static final long RECHECK_MILLIS = 2000;

    private final Path root;
    private final Clock clock;
    private final AtomicBoolean full = new AtomicBoolean();
    private final AtomicLong lastCheck = new AtomicLong(Long.MIN_VALUE / 2);

    DiskSpace(Path root, Clock clock) {
        this.root = root;
        this.clock = clock;
    }

    /**
     * Whether a download of {@code bytes} (-1: unknown) should be cached. Cheap when the cache is healthy:
     * one {@code statvfs} per call; while full, at most one per {@link #RECHECK_MILLIS}.
     */
    boolean hasRoomFor(long bytes) {
        long now = clock.millis();
        if (full.get() && now - lastCheck.get() < RECHECK_MILLIS) {
            return false;
        }
        lastCheck.set(now);
        long usable = usable();
        boolean room = usable >= RESERVE + Math.max(0, bytes);
        if (!room && bytes > 0 && usable >= RESERVE * 2 && !full.get()) {
            // Healthy cache, one download larger than what is left: pass this one through, the cache is not "full".
            LOG.info("not caching a download of {} bytes: only {} bytes free under {}", bytes, usable, root);
            return false;
        }
        update(room, usable, null);
        return room;
    }

    /** Records that writing the cache failed; logs once and passes further downloads through. */
    void reportWriteFailure(IOException e) {
        lastCheck.set(clock.millis());
        update(false, usable(), e);
    }

    boolean isFull() {
        return full.get();
    }

    private void update(boolean room, long usable, IOException cause) {
        if (room) {
            if (full.compareAndSet(true, false)) {
                LOG.info("cache {} has room again ({} bytes free): caching resumes", root, usable);
            }
        } else if (full.compareAndSet(false, true)) {
            LOG.warn("cache {} cannot be written ({} bytes free{}): serving from upstream without caching until space returns",
                    root, usable, cause == null ? "" : ", " + cause.getMessage());
        }
    }

    private long usable() {
        try {
            FileStore store = Files.getFileStore(root);
            return store.getUsableSpace();
        } catch (IOException e) {
            return 0;
        }
    }
}
