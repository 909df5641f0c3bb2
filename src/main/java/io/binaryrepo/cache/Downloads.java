package io.binaryrepo.cache;

import java.io.Closeable;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The downloads in flight, at most one per storage key: every request for a key that is being
 * downloaded joins the running {@link Download} instead of starting another (distribution #4511).
 * Thread-safe.
 */
public final class Downloads implements Closeable {
    private final Storage storage;
    private final DiskSpace space;
    private final ExecutorService executor;
    private final ConcurrentHashMap<String, Download> inflight = new ConcurrentHashMap<>();

    /** @param space free-space watch of the storage, or null when the storage cannot fill up */
    public Downloads(Storage storage, DiskSpace space) {
        this.storage = storage;
        this.space = space;
        AtomicInteger n = new AtomicInteger();
        ThreadFactory tf = r -> {
            Thread t = new Thread(r, "binaryrepo-download-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.executor = Executors.newCachedThreadPool(tf);
    }

    /** The download running for {@code key}, if any. */
    public Optional<Download> inflight(String key) {
        return Optional.ofNullable(inflight.get(key));
    }

    /**
     * Joins the download of {@code key}, starting it when none runs.
     *
     * @param origin who asks (recorded on a new download, see {@link Download#origin()})
     * @param source opens the upstream response; called on the download thread, only if this call starts it
     * @param check what the content must be to be committed
     * @param afterCommit run on the download thread after a successful commit (only if this call starts it)
     * @return the running download; the caller calls {@link Download#awaitHead} then {@link Download#copyTo}
     */
    public Download join(String key, Object origin, Download.Source source, ContentCheck check, Runnable afterCommit) {
        return joinOrStart(key, origin, source, check, afterCommit).download();
    }

    /** A joined download, and whether the call that joined it started it (a miss) or joined one running. */
    public record Joined(Download download, boolean started) {
    }

    /** As {@link #join}, telling whether this call started the download (for metrics: miss or coalesced). */
    public Joined joinOrStart(String key, Object origin, Download.Source source, ContentCheck check,
            Runnable afterCommit) {
        boolean[] started = {false};
        Download[] self = new Download[1];
        Download d = inflight.computeIfAbsent(key, k -> {
            started[0] = true;
            self[0] = new Download(k, origin, storage, space, () -> inflight.remove(k, self[0]));
            return self[0];
        });
        if (started[0]) {
            executor.execute(() -> {
                try {
                    d.run(source, check, afterCommit);
                } finally {
                    inflight.remove(key, d);
                }
            });
        }
        return new Joined(d, started[0]);
    }

    /**
     * Whether new downloads can be cached now; when not, callers pass content through from upstream
     * ({@link Passthrough}) instead of starting a download.
     */
    public boolean cacheWritable() {
        return space == null || space.hasRoomFor(-1);
    }

    /** Number of downloads running now. */
    public int size() {
        return inflight.size();
    }

    /** Stops the download threads (running downloads fail; nothing half-written is committed). */
    @Override
    public void close() {
        executor.shutdownNow();
    }
}
