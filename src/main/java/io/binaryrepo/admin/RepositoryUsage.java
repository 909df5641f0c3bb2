package io.binaryrepo.admin;

import io.binaryrepo.cache.Storage;
import io.binaryrepo.repo.Inventory;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Entries and bytes of each repository for {@code GET /api/v1/repositories} (issue 10): a walk of the
 * storage listing under the repository's {@link Inventory#prefix()}, a page at a time (memory: one page),
 * counting each listed entry with the size of its {@link Inventory.Listed#contentKey()} (a Docker link
 * counts its shared blob, so a blob linked from two repositories counts in both; a link whose blob is gone
 * counts nothing). A walk that took longer than {@link #SLOW} is kept for {@link #TTL}, so that a dashboard
 * polling the API does not walk a large cache on every call (the numbers may then be that much behind); a
 * quick walk is not kept. One walk per repository at a time. Thread-safe; one entry per configured
 * repository (a fixed set), so the table is bounded.
 */
final class RepositoryUsage {
    static final Duration TTL = Duration.ofSeconds(30);
    static final Duration SLOW = Duration.ofMillis(500);
    private static final int PAGE = 1000;

    /** What a repository holds. */
    record Usage(long entries, long bytes, long measuredAt) {
    }

    private final Storage storage;
    private final Clock clock;
    private final ConcurrentHashMap<String, Usage> cached = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();

    RepositoryUsage(Storage storage, Clock clock) {
        this.storage = storage;
        this.clock = clock;
    }

    Usage of(String repository, Inventory inventory) throws IOException {
        Usage u = cached.get(repository);
        if (fresh(u)) {
            return u;
        }
        synchronized (locks.computeIfAbsent(repository, k -> new Object())) {
            u = cached.get(repository);
            if (fresh(u)) {
                return u;
            }
            long t0 = System.nanoTime();
            u = walk(inventory);
            if (System.nanoTime() - t0 > SLOW.toNanos()) {
                cached.put(repository, u);
            } else {
                cached.remove(repository);
            }
            return u;
        }
    }

    /** Forgets a repository's numbers (after a purge), so the next call counts again. */
    void forget(String repository) {
        cached.remove(repository);
    }

    private boolean fresh(Usage u) {
        return u != null && clock.millis() - u.measuredAt() < TTL.toMillis();
    }

    private Usage walk(Inventory inventory) throws IOException {
        long entries = 0;
        long bytes = 0;
        String after = null;
        while (true) {
            Storage.Page page = storage.list(inventory.prefix(), after, PAGE);
            for (Storage.Item item : page.items()) {
                Optional<Long> size = size(inventory, item);
                if (size.isPresent()) {
                    entries++;
                    bytes += size.get();
                }
            }
            if (page.next().isEmpty()) {
                return new Usage(entries, bytes, clock.millis());
            }
            after = page.next().get();
        }
    }

    /** The size of what {@code item} stands for; empty when that content is not stored (a dangling link). */
    private Optional<Long> size(Inventory inventory, Storage.Item item) throws IOException {
        String content = inventory.describe(item.key()).contentKey();
        if (content.equals(item.key())) {
            return Optional.of(item.size());
        }
        return storage.get(content).map(Storage.Entry::size);
    }
}
