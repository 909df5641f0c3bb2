package io.binaryrepo.cache;

import java.io.Closeable;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The downloads in flight, at most one per storage key: every request for a key that is being
 * downloaded joins the running {@link Download} instead of starting another (distribution #4511).
 *
 * <p>Bounds (issue 17): at most {@link Limits#maxConcurrent()} downloads run at once; further ones
 * queue, first come first served, up to {@link Limits#maxQueued()}; beyond that a new download is
 * refused: its clients get a {@link DownloadsBusyException} from {@link Download#awaitHead} (a 503 for
 * the client to retry). A queued download's clients wait within their head timeout like any slow
 * upstream. The in-flight map therefore holds at most {@code maxConcurrent + maxQueued} downloads; a
 * download that fails to start (refused, no spool) leaves it at once, so the next request starts again.
 * Thread-safe.
 */
public final class Downloads implements Closeable {
    private final Storage storage;
    private final Limits limits;
    private final ThreadPoolExecutor executor;
    private final ConcurrentHashMap<String, Download> inflight = new ConcurrentHashMap<>();

    /**
     * How far downloads may go.
     *
     * @param maxConcurrent downloads running at once (threads)
     * @param maxQueued downloads waiting for a thread; beyond, new ones are refused
     * @param abandonLimit when every client of a download has left and more than this many bytes remain
     *     (unknown length: once this many more have arrived), the download is cancelled and nothing is
     *     committed; under it, it finishes and is committed
     */
    public record Limits(int maxConcurrent, int maxQueued, long abandonLimit) {
        /** 64 downloads at once, 1024 queued, 256 MiB abandon limit. */
        public static final Limits DEFAULT = new Limits(64, 1024, 256L * 1024 * 1024);

        public Limits {
            if (maxConcurrent < 1 || maxQueued < 0 || abandonLimit < 0) {
                throw new IllegalArgumentException("invalid download limits " + maxConcurrent + "/" + maxQueued + "/"
                        + abandonLimit);
            }
        }
    }

    /** Downloads into {@code storage} with the {@link Limits#DEFAULT default limits}. */
    public Downloads(Storage storage) {
        this(storage, Limits.DEFAULT);
    }

    public Downloads(Storage storage, Limits limits) {
        this.storage = storage;
        this.limits = limits;
        AtomicInteger n = new AtomicInteger();
        ThreadFactory tf = r -> {
            Thread t = new Thread(r, "binaryrepo-download-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.executor = new ThreadPoolExecutor(limits.maxConcurrent(), limits.maxConcurrent(), 60, TimeUnit.SECONDS,
                limits.maxQueued() == 0 ? new java.util.concurrent.SynchronousQueue<>()
                        : new ArrayBlockingQueue<>(limits.maxQueued()), tf);
        executor.allowCoreThreadTimeOut(true);
    }

    public Limits limits() {
        return limits;
    }

    /** The download running for {@code key}, if any. */
    public Optional<Download> inflight(String key) {
        return Optional.ofNullable(inflight.get(key));
    }

    /**
     * Joins the download of {@code key}, starting it when none runs (or when the running one is being
     * cancelled or has failed). Counts the caller as one client of the download until its
     * {@link Download#copyTo} ends (see {@link Download}).
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
        while (true) {
            boolean[] started = {false};
            Download[] self = new Download[1];
            Download d = inflight.computeIfAbsent(key, k -> {
                started[0] = true;
                self[0] = new Download(k, origin, storage, limits.abandonLimit(), () -> inflight.remove(k, self[0]));
                return self[0];
            });
            if (started[0]) {
                start(d, source, check, afterCommit);
                return new Joined(d, true);
            }
            if (d.attach()) {
                return new Joined(d, false);
            }
            // It is failing or being cancelled and about to leave the map: start afresh.
            inflight.remove(key, d);
        }
    }

    private void start(Download d, Download.Source source, ContentCheck check, Runnable afterCommit) {
        try {
            executor.execute(() -> {
                try {
                    new DownloadRun(d, storage).run(source, check, afterCommit);
                } finally {
                    inflight.remove(d.key(), d);
                }
            });
        } catch (RejectedExecutionException e) {
            d.refuse(new DownloadsBusyException(executor.isShutdown() ? "binaryrepo is shutting down"
                    : "too many downloads in progress (" + limits.maxConcurrent() + " running, " + limits.maxQueued()
                            + " queued); try again later"));
        } catch (OutOfMemoryError e) {
            // "unable to create native thread": the download must not stay in the map as STARTING forever.
            d.refuse(new DownloadsBusyException("cannot start a download thread: " + e.getMessage()));
        }
    }

    /**
     * Whether new downloads can be cached now; when not, callers pass content through from upstream
     * ({@link Passthrough}) instead of starting a download. Asks the storage ({@link Storage#hasRoomFor}).
     */
    public boolean cacheWritable() {
        return storage.hasRoomFor(-1);
    }

    /** Number of downloads in flight now (running or queued). */
    public int size() {
        return inflight.size();
    }

    /**
     * Stops the download threads (running downloads fail; nothing half-written is committed) and fails
     * the queued ones.
     */
    @Override
    public void close() {
        executor.shutdownNow();
        // Downloads still queued will never run: fail them so that their clients hear of it now.
        for (Download d : inflight.values()) {
            d.refuse(new DownloadsBusyException("binaryrepo is shutting down"));
        }
    }
}
