package io.binaryrepo.admin;

import io.binaryrepo.repo.Inventory;
import io.binaryrepo.repo.ProxyError;
import io.binaryrepo.repo.ResourceHandler;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The prefetch jobs of one deployment (issue 10), bounded three ways: {@link #THREADS} jobs run at a time
 * (each one request after another, so a prefetch never takes more than that many download slots), at most
 * {@link #QUEUED} wait, and at most {@link #RETAINED} jobs are remembered (the oldest finished ones are
 * forgotten first; when every remembered job is still unfinished a new one is refused with 503). Ids are
 * 128 random bits from {@link SecureRandom}, so a job cannot be guessed. Thread-safe.
 */
final class PrefetchJobs implements AutoCloseable {
    static final int THREADS = 2;
    static final int QUEUED = 16;
    static final int RETAINED = 100;

    private final SecureRandom random = new SecureRandom();
    private final Map<String, PrefetchJob> jobs = new LinkedHashMap<>();
    private final ThreadPoolExecutor executor;

    PrefetchJobs() {
        AtomicInteger n = new AtomicInteger();
        executor = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUED),
                r -> {
                    Thread t = new Thread(r, "binaryrepo-prefetch-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        executor.allowCoreThreadTimeOut(true);
    }

    /**
     * Starts a job running {@code prefetches} through {@code handler}.
     *
     * @throws ProxyError 503 when the queue or the job table is full
     */
    synchronized PrefetchJob start(ResourceHandler handler, List<Inventory.Prefetch> prefetches) {
        if (jobs.size() >= RETAINED) {
            for (Iterator<PrefetchJob> it = jobs.values().iterator(); it.hasNext() && jobs.size() >= RETAINED; ) {
                if (it.next().finished()) {
                    it.remove();
                }
            }
            if (jobs.size() >= RETAINED) {
                throw busy(RETAINED + " prefetch jobs are unfinished");
            }
        }
        byte[] id = new byte[16];
        random.nextBytes(id);
        PrefetchJob job = new PrefetchJob(HexFormat.of().formatHex(id), handler, prefetches);
        try {
            executor.execute(job::run);
        } catch (RejectedExecutionException e) {
            throw busy(QUEUED + " prefetch jobs are waiting already");
        }
        jobs.put(job.id(), job);
        return job;
    }

    synchronized Optional<PrefetchJob> get(String id) {
        return Optional.ofNullable(jobs.get(id));
    }

    private static ProxyError busy(String why) {
        return new ProxyError(503, "BUSY", "try again later: " + why, Map.of("Retry-After", "30"));
    }

    /** Stops the job threads (running jobs are interrupted). */
    @Override
    public void close() {
        executor.shutdownNow();
    }
}
