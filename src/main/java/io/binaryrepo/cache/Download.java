package io.binaryrepo.cache;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.security.MessageDigest;
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
    private static final int BUFFER = 64 * 1024;

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

    /** What upstream announced. */
    public record Head(long length, String contentType) {
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
            return new Head(length, contentType);
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
            stream(ch, out, start, end);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            leave();
        }
    }

    private void stream(SeekableByteChannel ch, OutputStream out, long start, long end)
            throws IOException, InterruptedException {
        ByteBuffer buf = ByteBuffer.allocate(BUFFER);
        long pos = start;
        long flushed = start;
        while (true) {
            long readable;
            boolean complete;
            if (pos > flushed) {
                // About to wait for upstream: let the client have what it has so far.
                out.flush();
                flushed = pos;
            }
            lock.lock();
            try {
                while (state == State.STREAMING && readableLimit() <= pos && (end < 0 || pos < end)) {
                    changed.await(1, TimeUnit.SECONDS);
                }
                if (state == State.FAILED) {
                    throw new DownloadFailedException("download of " + key + " failed: " + failure.getMessage(), failure,
                            pos - start);
                }
                complete = state == State.COMPLETE;
                readable = complete ? written : readableLimit();
            } finally {
                lock.unlock();
            }
            long limit = end < 0 ? readable : Math.min(readable, end);
            while (pos < limit) {
                buf.clear();
                buf.limit((int) Math.min(buf.capacity(), limit - pos));
                ch.position(pos);
                int n = ch.read(buf);
                if (n < 0) {
                    throw new DownloadFailedException("content of " + key + " ended early", null);
                }
                out.write(buf.array(), 0, n);
                pos += n;
            }
            if ((end >= 0 && pos >= end) || (complete && pos >= readable)) {
                return;
            }
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

    /** Runs the download; called once, on a download thread (not at all if it was refused first). */
    void run(Source source, ContentCheck check, Runnable afterCommit) {
        lock.lock();
        try {
            if (state == State.FAILED) {
                return;
            }
            running = true;
        } finally {
            lock.unlock();
        }
        Storage.Writer w = null;
        try {
            if (storage.exists(key)) {
                completeFromStorage();
                return;
            }
            if (!storage.hasRoomFor(-1)) {
                throw new CacheWriteException("cache full", null);
            }
            w = storage.writer(key);
            lock.lock();
            try {
                writer = w;
            } finally {
                lock.unlock();
            }
            try (UpstreamBody body = source.open()) {
                long announced = body.length();
                if (check.expectedSize() >= 0 && announced >= 0 && announced != check.expectedSize()) {
                    throw new IOException("upstream announced " + announced + " bytes for " + key + ", expected "
                            + check.expectedSize());
                }
                if (announced > 0 && !storage.hasRoomFor(announced)) {
                    throw new CacheWriteException("no room in the cache for " + announced + " bytes", null);
                }
                lock.lock();
                try {
                    length = announced >= 0 ? announced : check.expectedSize();
                    contentType = body.contentType();
                    state = State.STREAMING;
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
                fill(body.stream(), w, check);
            }
            // Outside the lock: readers keep streaming (from the same open content) while the commit
            // forces and renames; only the last byte waits for COMPLETE.
            w.commit();
            // Leave the in-flight set before anyone hears of the end, so a request that follows
            // finds the committed entry (or starts afresh), never this finished download.
            detach.run();
            publish(State.COMPLETE, null);
            w.close();
        } catch (IOException | RuntimeException e) {
            fail(e instanceof IOException io ? io : new IOException(e.toString(), e));
            if (w != null) {
                w.abort();
            }
            return;
        }
        try {
            afterCommit.run();
        } catch (RuntimeException e) {
            // The content is committed and served; only the follow-up (for example a link record) failed.
            LOG.warn("after committing {}: {}", key, e.toString());
        }
    }

    /** Committed by a download that finished between the caller's cache miss and this start. */
    private void completeFromStorage() throws IOException {
        long size = storage.get(key).map(Storage.Entry::size).orElse(-1L);
        detach.run();
        lock.lock();
        try {
            length = size;
            written = size;
        } finally {
            lock.unlock();
        }
        publish(State.COMPLETE, null);
    }

    private void fill(InputStream in, Storage.Writer w, ContentCheck check) throws IOException {
        MessageDigest md = check.newDigest();
        byte[] buf = new byte[BUFFER];
        long total = 0;
        int n;
        while ((n = in.read(buf)) != -1) {
            md.update(buf, 0, n);
            w.write(ByteBuffer.wrap(buf, 0, n));
            total += n;
            if (length >= 0 && total > length) {
                throw new IOException("upstream sent more than the " + length + " bytes announced for " + key);
            }
            boolean abandon;
            lock.lock();
            try {
                written = total;
                abandon = shouldAbandon(total);
                abandoned = abandon;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            if (abandon) {
                throw new Abandoned("every client left " + key + " after " + total + " bytes with more than "
                        + abandonLimit + " to go; cancelled, not cached");
            }
        }
        if (length >= 0 && total != length) {
            throw new IOException("upstream closed after " + total + " of " + length + " bytes of " + key);
        }
        if (!check.matches(md)) {
            throw new IOException("content from upstream does not match " + key + " (" + total + " bytes); not cached");
        }
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

    private void fail(IOException e) {
        if (e instanceof CacheWriteException) {
            // DiskSpace logs the condition once; readers pass the content through.
            LOG.debug("download of {} not cached: {}", key, e.getMessage());
        } else if (e instanceof Abandoned) {
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

    /** The download was cancelled because its clients left (see {@link Downloads.Limits#abandonLimit()}). */
    static final class Abandoned extends IOException {
        private static final long serialVersionUID = 1L;

        Abandoned(String message) {
            super(message);
        }
    }

    /** Opens the upstream response for a download. */
    @FunctionalInterface
    public interface Source {
        /** @throws IOException when upstream cannot be reached or refuses; passed to every waiting reader */
        UpstreamBody open() throws IOException;
    }
}
