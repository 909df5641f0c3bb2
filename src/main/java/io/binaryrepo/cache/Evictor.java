package io.binaryrepo.cache;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background eviction of one {@link TrackedStorage} (issue 10). One run lists every entry once (constant
 * memory besides a bounded set of {@link #CANDIDATES} oldest entries), which also re-bases the
 * {@link UsageCount}; entries not read within {@code maxAge} are removed as they are met; if usage is above
 * the cap, the least recently used candidates are removed until it is at most {@link EvictionPolicy#TARGET}
 * of it (another listing if the candidates were not enough). The last read of an entry is the latest of:
 * what the access log remembers, the modification time of its access record (a flush writes it right after
 * the read; exact order among candidates is then taken from the record's content) and the entry's commit.
 * Never removed: access records (orphaned ones are cleaned up), zero-byte entries (Docker's links: they free
 * nothing), anything read or written within the grace period. The first run starts right after
 * {@link #start()} (the start-up usage listing, in the background); a run follows any commit that takes
 * usage past the cap; every {@code checkInterval} the cap is checked again, and a listing for maxAge runs
 * every 24th of maxAge (between the check interval and an hour). One line is logged per run that
 * removed something or could not reach the target. Thread-safe; runs never overlap.
 */
public final class Evictor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Evictor.class);
    /** Oldest entries one listing keeps as candidates for size eviction. */
    static final int CANDIDATES = 10_000;
    private static final int MAX_ROUNDS = 50;

    /** Told what each run removed; called on the eviction thread. */
    @FunctionalInterface
    public interface Listener {
        Listener NONE = (entries, bytes) -> { };

        void evicted(long entries, long bytes);
    }

    /** What one run did. */
    record Run(long entries, long bytes, long byAge, long usageAfter, boolean targetReached) {
    }

    private final TrackedStorage storage;
    private final EvictionPolicy policy;
    private final Clock clock;
    private final Listener listener;
    private final AtomicBoolean queued = new AtomicBoolean();
    private final Object running = new Object();
    private volatile ScheduledExecutorService executor;
    private volatile boolean closed;
    private boolean listedOnce;
    private volatile long lastListing;

    Evictor(TrackedStorage storage, EvictionPolicy policy, Clock clock, Listener listener) {
        this.storage = storage;
        this.policy = policy;
        this.clock = clock;
        this.listener = listener;
    }

    EvictionPolicy policy() {
        return policy;
    }

    void start() {
        ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(2, r -> {
            Thread t = new Thread(r, "binaryrepo-eviction");
            t.setDaemon(true);
            return t;
        });
        ex.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor = ex;
        long flush = policy.flushInterval().toMillis();
        ex.scheduleWithFixedDelay(this::flush, flush, flush, TimeUnit.MILLISECONDS);
        ex.execute(this::runLogged);
        long check = policy.checkInterval().toMillis();
        ex.scheduleWithFixedDelay(() -> {
            if (overCap() || (policy.maxAge() != null && clock.millis() - lastListing >= ageCheckEvery())) {
                runLogged();
            }
        }, check, check, TimeUnit.MILLISECONDS);
    }

    /** After each commit: a comparison, and a run queued when usage passed the cap. Never blocks. */
    void committed() {
        ScheduledExecutorService ex = executor;
        if (ex != null && overCap() && queued.compareAndSet(false, true)) {
            try {
                ex.execute(() -> {
                    queued.set(false);
                    runLogged();
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                queued.set(false); // shutting down
            }
        }
    }

    /**
     * How often a listing looks for entries past maxAge: a 24th of it, at least the check interval, at most
     * an hour (a listing of 100,000 entries takes seconds; 90d needs no check every minute).
     */
    private long ageCheckEvery() {
        long every = policy.maxAge().toMillis() / 24;
        return Math.max(policy.checkInterval().toMillis(), Math.min(every, TimeUnit.HOURS.toMillis(1)));
    }

    private boolean overCap() {
        UsageCount u = storage.usageCount();
        return policy.capped() && u.known() && u.bytes() > policy.maxBytes();
    }

    private void flush() {
        try {
            storage.access().flush();
        } catch (RuntimeException e) {
            LOG.warn("access log flush failed: {}", e.toString());
        }
    }

    private void runLogged() {
        try {
            run();
        } catch (IOException | RuntimeException e) {
            LOG.warn("eviction run failed (retried at the next check): {}", e.toString());
        }
    }

    /** One run: a listing (re-basing usage, applying maxAge), then LRU removal while above the cap. */
    Run run() throws IOException {
        synchronized (running) {
            long began = System.nanoTime();
            Tally removed = new Tally();
            boolean reached = true;
            for (int round = 0; round < MAX_ROUNDS && !closed; round++) {
                Listing l = list(removed);
                long used = storage.usageCount().bytes();
                if (!policy.capped() || (round == 0 && used <= policy.maxBytes()) || used <= policy.target()) {
                    break;
                }
                long freedBefore = removed.bytes;
                evictOldest(l, removed);
                if (storage.usageCount().bytes() <= policy.target()) {
                    break;
                }
                if (l.candidates.size() < CANDIDATES || removed.bytes == freedBefore) {
                    reached = false; // everything left is recent, tiny, or was read meanwhile
                    break;
                }
            }
            long usage = storage.usageCount().bytes();
            if (removed.entries > 0 || !reached) {
                LOG.info("eviction: removed {} entries ({} bytes{}) in {} ms; usage {} bytes, cap {}{}{}", removed.entries,
                        removed.bytes, policy.maxAge() == null ? "" : ", " + removed.byAge + " not read for " + policy.maxAge(),
                        (System.nanoTime() - began) / 1_000_000, usage,
                        policy.capped() ? policy.maxBytes() + " (target " + policy.target() + ")" : "none",
                        removed.largest == null ? "" : "; largest " + removed.largest + " (" + removed.largestSize
                                + " bytes, last read " + java.time.Instant.ofEpochMilli(removed.largestRead) + ")",
                        reached ? "" : "; target not reached: the rest was read within the grace period "
                                + policy.grace() + " or holds no bytes");
            }
            if (removed.entries > 0) {
                listener.evicted(removed.entries, removed.bytes);
            }
            return new Run(removed.entries, removed.bytes, removed.byAge, usage, reached);
        }
    }

    /** What a run removed so far, and its largest entry (named in the log line). */
    private static final class Tally {
        long entries;
        long bytes;
        long byAge;
        String largest;
        long largestSize = -1;
        long largestRead;

        void add(String key, long size, long lastRead) {
            entries++;
            bytes += size;
            if (size > largestSize) {
                largest = key;
                largestSize = size;
                largestRead = lastRead;
            }
        }
    }

    /** A candidate for size eviction: its key, its last read as far as the listing knows, its size. */
    private record Candidate(String key, long time, long modified, long size) {
    }

    private static final class Listing {
        final PriorityQueue<Candidate> candidates =
                new PriorityQueue<>(Comparator.comparingLong(Candidate::time).reversed());
    }

    /** Lists everything once, re-basing the usage; removes what maxAge expired; collects the oldest. */
    private Listing list(Tally removed) throws IOException {
        long now = clock.millis();
        long graceStart = now - policy.grace().toMillis();
        long ageLimit = policy.maxAge() == null ? Long.MIN_VALUE : now - policy.maxAge().toMillis();
        Storage backend = storage.backend();
        AccessLog access = storage.access();
        long[] mark = storage.usageCount().mark();
        long bytes = 0;
        long entries = 0;
        Listing result = new Listing();
        AccessRecords records = new AccessRecords(new PagedListing(backend, AccessLog.PREFIX), backend);
        PagedListing all = new PagedListing(backend, "");
        for (Storage.Item item = all.next(); item != null && !closed; item = all.next()) {
            String key = item.key();
            if (AccessLog.isRecord(key)) {
                continue;
            }
            long recordTime = records.upTo(key, graceStart);
            entries++;
            bytes += item.size();
            if (item.size() == 0) {
                continue;
            }
            long time = Math.max(item.lastModified().toEpochMilli(),
                    Math.max(recordTime, access.remembered(key).orElse(Long.MIN_VALUE)));
            if (time < ageLimit && time < graceStart) {
                long freed = storage.evict(key, time, graceStart);
                if (freed >= 0) {
                    removed.add(key, freed, time);
                    removed.byAge++;
                }
                continue;
            }
            if (time < graceStart) {
                result.candidates.add(new Candidate(key, time, item.lastModified().toEpochMilli(), item.size()));
                if (result.candidates.size() > CANDIDATES) {
                    result.candidates.poll();
                }
            }
        }
        records.upTo(null, graceStart);
        lastListing = clock.millis();
        if (!closed) {
            storage.usageCount().rebase(mark, bytes, entries);
            if (!listedOnce) {
                listedOnce = true;
                LOG.info("cache usage listed in the background: {} entries, {} bytes ({} ms)", entries, bytes,
                        clock.millis() - now);
            }
        }
        return result;
    }

    /** Removes candidates, least recently read first (exact times from their records), down to the target. */
    private void evictOldest(Listing l, Tally removed) throws IOException {
        AccessLog access = storage.access();
        List<Candidate[]> order = new ArrayList<>(l.candidates.size());
        for (Candidate c : l.candidates) {
            // A record's modification time only bounds the read from above (flushes lag); its content is the read.
            long stored = access.stored(c.key()).orElse(Long.MIN_VALUE);
            long remembered = access.remembered(c.key()).orElse(Long.MIN_VALUE);
            long exact = stored == Long.MIN_VALUE && remembered == Long.MIN_VALUE ? c.time()
                    : Math.max(c.modified(), Math.max(stored, remembered));
            order.add(new Candidate[] {new Candidate(c.key(), exact, c.modified(), c.size()), c});
        }
        order.sort(Comparator.comparingLong((Candidate[] p) -> p[0].time()).thenComparing(p -> p[0].key()));
        long graceStart = clock.millis() - policy.grace().toMillis();
        for (Candidate[] p : order) {
            if (closed || storage.usageCount().bytes() <= policy.target()) {
                return;
            }
            long freed = storage.evict(p[1].key(), Math.max(p[0].time(), p[1].time()), graceStart);
            if (freed >= 0) {
                removed.add(p[1].key(), freed, p[0].time());
            }
        }
    }

    /** Stops the background work (a run in progress stops at its next entry). Idempotent. */
    @Override
    public void close() {
        closed = true;
        ScheduledExecutorService ex = executor;
        if (ex != null) {
            ex.shutdownNow();
            try {
                ex.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
