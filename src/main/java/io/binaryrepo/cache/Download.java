package io.binaryrepo.cache;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.SeekableByteChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upstream download into a {@link Storage.Writer}, shared by every request for the same key.
 *
 * <p>The download runs on a {@link Downloads} thread, not on a request thread, so a client that
 * disconnects does not cancel it, within limits: when every client has left and more than the
 * abandon limit remains (unknown length: once that much more has arrived), it is cancelled and nothing
 * is committed. Readers ({@link #copyTo}) stream from the writer's content as it grows. When upstream
 * finishes, the content is checked against the {@link ContentCheck} and committed atomically, outside
 * the download's lock, so readers are never held up by a commit; readers already streaming keep reading
 * the same bytes across it. On any failure nothing is committed and every reader gets a
 * {@link DownloadFailedException}. A reader never writes the last byte of a body of known length before
 * the content is verified and committed, so a client whose download fails sees a short body (an error),
 * never a complete-looking wrong one.
 *
 * <p>Each {@link Downloads#join} counts one client, released when its {@link #copyTo} ends or its
 * {@link #awaitHead} fails; a caller that joins and then does neither calls {@link #leave()}.
 *
 * <p>Thread-safe: one writer thread, any number of reader threads.
 */
public final class Download {
    private static final Logger LOG = LoggerFactory.getLogger(Download.class);

    private enum State { STARTING, STREAMING, COMPLETE, FAILED }

    private final String key;
    private final Object origin;
    private final Storage storage;
    private final long abandonLimit;
    private final Runnable detach;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    // guarded by lock
    private State state = State.STARTING;
    private long length = -1;
    private String contentType;
    private ContentCheck check;
    private long written;
    private IOException failure;
    private Storage.Writer writer;
    private int clients = 1;
    private long leftAt;
    private boolean abandoned;
    private boolean running;

    /**
     * @param abandonLimit bytes the download may still fetch after its last client left
     * @param detach removes this download from the in-flight set; run before the final state is published
     */
    Download(String key, Object origin, Storage storage, long abandonLimit, Runnable detach) {
        this.key = key;
        this.origin = origin;
        this.storage = storage;
        this.abandonLimit = abandonLimit;
        this.detach = detach;
    }

    public String key() {
        return key;
    }

    /** Who started this download (for example the repository and image name); compared by equals. */
    public Object origin() {
        return origin;
    }

    /**
     * What upstream announced, and the check the content is verified against (known before the body: a
     * format may state the expected digest in its answer, Maven's {@code X-Checksum-Sha1}); the check is null
     * when the content was committed before this download started.
     */
    public record Head(long length, String contentType, ContentCheck check) {
    }

    /**
     * Waits until upstream has answered.
     *
     * @throws IOException the download's failure if it failed before (or while) answering; its cause is
     *     the original exception (for example an upstream error with a status to pass on). The caller's
     *     client is then released.
     */
    public Head awaitHead(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (state == State.STARTING) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    leaveLocked();
                    throw new java.net.SocketTimeoutException("upstream did not answer within " + timeout);
                }
                changed.awaitNanos(left);
            }
            if (state == State.FAILED && written == 0) {
                leaveLocked();
                throw failure;
            }
            return new Head(length, contentType, check);
        } catch (InterruptedException e) {
            leaveLocked();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for upstream", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Streams bytes {@code [start, end)} of the content to {@code out} as they arrive, waiting for the
     * download where needed. {@code end} of -1 means "to the end". Does not close {@code out}. Releases
     * the caller's client when it returns or throws.
     *
     * @throws DownloadFailedException when the download fails; the caller must abort its response
     * @throws IOException when writing to {@code out} fails (client gone); the download goes on
     */
    public void copyTo(OutputStream out, long start, long end) throws IOException {
        try (SeekableByteChannel ch = openChannel()) {
            DownloadReader.copy(this, ch, out, start, end);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            leave();
        }
    }

    /** How far a reader may go now: bytes readable and whether the content is complete. */
    record Readable(long limit, boolean complete) {
    }

    /**
     * Waits until there is something beyond {@code pos} for a reader of {@code [start, end)} (or the
     * download ended), then says how far it may read.
     *
     * @throws DownloadFailedException when the download failed
     */
    Readable awaitReadable(long start, long pos, long end) throws IOException, InterruptedException {
        lock.lock();
        try {
            while (state == State.STREAMING && readableLimit() <= pos && (end < 0 || pos < end)) {
                changed.await(1, TimeUnit.SECONDS);
            }
            if (state == State.FAILED) {
                throw new DownloadFailedException("download of " + key + " failed: " + failure.getMessage(), failure,
                        pos - start);
            }
            boolean complete = state == State.COMPLETE;
            return new Readable(complete ? written : readableLimit(), complete);
        } finally {
            lock.unlock();
        }
    }

    /** Bytes a reader may send now: all written bytes, but the last one only once verified. */
    private long readableLimit() {
        if (length >= 0 && written >= length) {
            return length - 1;
        }
        return written;
    }

    private SeekableByteChannel openChannel() throws IOException, InterruptedException {
        lock.lock();
        try {
            while (state == State.STARTING) {
                changed.await(1, TimeUnit.SECONDS);
            }
            // Under the lock: the writer is released only after COMPLETE is published (also under it), so
            // a reader gets either the writer's content or the committed entry.
            if (state == State.COMPLETE) {
                return storage.get(key).orElseThrow(() -> new IOException("committed entry " + key + " vanished")).open();
            }
            if (state == State.FAILED) {
                throw new DownloadFailedException("download of " + key + " failed: " + failure.getMessage(), failure, 0);
            }
            return writer.openReader();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Counts one more client, unless the download is failing or abandoned (then the caller starts a new
     * one). Called by {@link Downloads#join} for clients that join a running download.
     */
    boolean attach() {
        lock.lock();
        try {
            if (state == State.FAILED || abandoned) {
                return false;
            }
            clients++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until the content is verified and committed, for clients that must not receive a byte of content
     * that may turn out wrong (their answer is an error status instead of a cut-off body).
     *
     * @return true when committed; false when {@code timeout} passed first (the caller may stream as usual)
     * @throws IOException the download's failure (the caller's client is then released)
     */
    public boolean awaitEnd(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (state == State.STARTING || state == State.STREAMING) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.awaitNanos(left);
            }
            if (state == State.FAILED) {
                leaveLocked();
                throw failure;
            }
            return true;
        } catch (InterruptedException e) {
            leaveLocked();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the download", e);
        } finally {
            lock.unlock();
        }
    }

    /** Releases one client that joined but will not call {@link #copyTo}. */
    public void leave() {
        lock.lock();
        try {
            leaveLocked();
        } finally {
            lock.unlock();
        }
    }

    private void leaveLocked() {
        if (clients > 0 && --clients == 0) {
            leftAt = written;
        }
    }

    /** Whether nobody waits and too much is left to fetch for nobody (lock held). */
    private boolean shouldAbandon(long total) {
        if (clients > 0) {
            return false;
        }
        return length >= 0 ? length - total > abandonLimit : total - leftAt > abandonLimit;
    }

    // Transitions, called by the DownloadRun on the download thread.

    /** Marks the download as running; false if it was refused before it could run. */
    boolean begin() {
        lock.lock();
        try {
            if (state == State.FAILED) {
                return false;
            }
            running = true;
            return true;
        } finally {
            lock.unlock();
        }
    }

    void writing(Storage.Writer w) {
        lock.lock();
        try {
            writer = w;
        } finally {
            lock.unlock();
        }
    }

    /** Upstream answered: readers may start. {@code expected} is the length to insist on, or -1. */
    void streaming(long expected, String type, ContentCheck verifiedBy) {
        lock.lock();
        try {
            length = expected;
            contentType = type;
            check = verifiedBy;
            state = State.STREAMING;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The length the content must have, or -1 when unknown. */
    long length() {
        lock.lock();
        try {
            return length;
        } finally {
            lock.unlock();
        }
    }

    long abandonLimit() {
        return abandonLimit;
    }

    /** {@code total} bytes are written; returns whether to cancel because every client left (then refuses new ones). */
    boolean progress(long total) {
        lock.lock();
        try {
            written = total;
            abandoned = shouldAbandon(total);
            changed.signalAll();
            return abandoned;
        } finally {
            lock.unlock();
        }
    }

    /** Committed (of {@code size} bytes, or by someone else when {@code size} is given): leave the map, then publish. */
    void complete(long size) {
        // Leave the in-flight set before anyone hears of the end, so a request that follows
        // finds the committed entry (or starts afresh), never this finished download.
        detach.run();
        lock.lock();
        try {
            if (size >= 0) {
                length = size;
                written = size;
            }
        } finally {
            lock.unlock();
        }
        publish(State.COMPLETE, null);
    }

    /**
     * Fails the download if it has not begun running (the executor refused it or dropped it from its
     * queue at shutdown); its clients get {@code e}. Returns whether it did.
     */
    boolean refuse(IOException e) {
        lock.lock();
        try {
            if (running || state != State.STARTING) {
                return false;
            }
            state = State.FAILED;
            failure = e;
        } finally {
            lock.unlock();
        }
        fail(e);
        return true;
    }

    void fail(IOException e) {
        if (e instanceof CacheWriteException) {
            // DiskSpace logs the condition once; readers pass the content through.
            LOG.debug("download of {} not cached: {}", key, e.getMessage());
        } else if (e instanceof DownloadRun.Abandoned) {
            LOG.info(e.getMessage());
        } else {
            LOG.warn("download of {} failed: {}", key, e.getMessage());
        }
        // A client told of this failure may retry at once: it must start a new download, not rejoin this one.
        detach.run();
        publish(State.FAILED, e);
    }

    private void publish(State s, IOException cause) {
        lock.lock();
        try {
            failure = cause;
            state = s;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Opens the upstream response for a download. */
    @FunctionalInterface
    public interface Source {
        /** @throws IOException when upstream cannot be reached or refuses; passed to every waiting reader */
        UpstreamBody open() throws IOException;
    }
}
